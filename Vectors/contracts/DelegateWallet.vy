# pragma version ~=0.4.3
# @title DelegateWallet: code an EOA delegates to (EIP-7702), so it runs in the EOA's own storage and balance.
# @notice Slot 0: pay_nonce (replay protection of sponsored payments). Slot 1: pings.
#         `ping` may be called by anyone; `sponsored_pay` is sent by a sponsor who pays the gas and carries the
#         EOA's secp256k1 signature over (the EOA, the chain id, to, amount, nonce). Non-payable: value reverts.

event Pinged:
    caller: indexed(address)
    pings: uint256
    version: uint256

event Paid:
    to: indexed(address)
    amount: uint256
    nonce: uint256

pay_nonce: public(uint256)
pings: public(uint256)


@external
def ping() -> uint256:
    n: uint256 = self.pings + 1
    self.pings = n
    log Pinged(caller=msg.sender, pings=n, version=1)
    return n


@external
def sponsored_pay(to: address, amount: uint256, nonce: uint256, v: uint8, r: bytes32, s: bytes32):
    assert nonce == self.pay_nonce, "nonce"
    digest: bytes32 = keccak256(abi_encode(self, chain.id, to, amount, nonce))
    assert ecrecover(digest, v, r, s) == self, "signature"
    self.pay_nonce = nonce + 1
    send(to, amount)
    log Paid(to=to, amount=amount, nonce=nonce)
