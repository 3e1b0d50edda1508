# pragma version ~=0.4.3
# @title Settler: a solver's batch of signed payment intents, each executed by the user's own delegated account.
# @notice Slot 0: batches[solver]. A failing intent reverts the whole batch.

struct Intent:
    user: address
    merchant: address
    amount: uint256
    fee: uint256
    nonce: uint256
    v: uint8
    r: bytes32
    s: bytes32

interface IntentAccount:
    def execute_intent(token: address, merchant: address, amount: uint256, fee: uint256, nonce: uint256,
                       fee_to: address, v: uint8, r: bytes32, s: bytes32): nonpayable

event BatchSettled:
    solver: indexed(address)
    intents: uint256

batches: public(HashMap[address, uint256])


@external
def settle(token: address, intents: DynArray[Intent, 32]):
    for i: Intent in intents:
        extcall IntentAccount(i.user).execute_intent(token, i.merchant, i.amount, i.fee, i.nonce, msg.sender,
                                                     i.v, i.r, i.s)
    self.batches[msg.sender] += 1
    log BatchSettled(solver=msg.sender, intents=len(intents))
