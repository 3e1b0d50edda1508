# pragma version ~=0.4.3
# @title IntentAccount: the smart-account code a user's EOA delegates to (EIP-7702) to have payment intents
#        settled by solvers. Runs in the user's storage: slot 0 is intent_nonce.
# @notice `execute_intent` checks the user's secp256k1 signature over (the user, the chain id, token, merchant,
#         amount, fee, nonce), pays the merchant and pays the fee to `fee_to` (the solver who paid the gas), both in
#         `token`, from the user's own token balance.

interface Token:
    def transfer(to: address, amount: uint256) -> bool: nonpayable

event IntentExecuted:
    merchant: indexed(address)
    amount: uint256
    nonce: uint256

intent_nonce: public(uint256)


@external
def execute_intent(token: address, merchant: address, amount: uint256, fee: uint256, nonce: uint256,
                   fee_to: address, v: uint8, r: bytes32, s: bytes32):
    assert nonce == self.intent_nonce, "nonce"
    digest: bytes32 = keccak256(abi_encode(self, chain.id, token, merchant, amount, fee, nonce))
    assert ecrecover(digest, v, r, s) == self, "signature"
    self.intent_nonce = nonce + 1
    assert extcall Token(token).transfer(merchant, amount)
    assert extcall Token(token).transfer(fee_to, fee)
    log IntentExecuted(merchant=merchant, amount=amount, nonce=nonce)
