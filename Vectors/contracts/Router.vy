# pragma version ~=0.4.3
# @title Router: calls a (possibly delegated) EOA on behalf of the transaction's sender.
# @notice Slot 0: seen[target], the EXTCODEHASH of the target when last poked (under EIP-7702 the hash of its
#         delegation designator; the empty-code hash once the delegation is cleared).

interface Wallet:
    def ping() -> uint256: nonpayable

seen: public(HashMap[address, bytes32])


@external
def poke(target: address) -> uint256:
    self.seen[target] = target.codehash
    if target.codesize == 0:
        return 0
    return extcall Wallet(target).ping()
