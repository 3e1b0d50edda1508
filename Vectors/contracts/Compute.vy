# pragma version ~=0.4.3
# @title Compute: CPU-heavy work with a small, private write set.
# @notice work() hashes a seed `rounds` times and mixes in multiplications, then stores the digest
#         under the caller (slot 0: results[caller]); `shared` also bumps one global slot
#         (slot 1: total) and `fail` reverts after all the work is done (gas is still paid).

results: public(HashMap[address, bytes32])
total: public(uint256)


@external
def work(rounds: uint256, seed: bytes32, shared: bool, fail: bool) -> bytes32:
    h: bytes32 = seed
    acc: uint256 = convert(seed, uint256)
    for i: uint256 in range(rounds, bound=4096):
        h = keccak256(concat(h, convert(i, bytes32)))
        acc = unsafe_mul(acc, 6364136223846793005) ^ convert(h, uint256)
    self.results[msg.sender] = keccak256(concat(h, convert(acc, bytes32)))
    if shared:
        self.total += 1
    assert not fail, "failed on purpose"
    return h
