# pragma version ~=0.4.3
# @title DelegateWalletV2: the wallet an EOA changes its delegation to (EIP-7702). Same storage layout as
#        DelegateWallet for slots 0 and 1 (pay_nonce, pings); `ping` also records its caller in slot 2 and counts
#        by two, so which code a call ran is visible in the post-state.

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
last_caller: public(address)


@external
def ping() -> uint256:
    n: uint256 = self.pings + 2
    self.pings = n
    self.last_caller = msg.sender
    log Pinged(caller=msg.sender, pings=n, version=2)
    return n


@external
def sponsored_pay(to: address, amount: uint256, nonce: uint256, v: uint8, r: bytes32, s: bytes32):
    assert nonce == self.pay_nonce, "nonce"
    digest: bytes32 = keccak256(abi_encode(self, chain.id, to, amount, nonce))
    assert ecrecover(digest, v, r, s) == self, "signature"
    self.pay_nonce = nonce + 1
    send(to, amount)
    log Paid(to=to, amount=amount, nonce=nonce)
