# pragma version ~=0.4.3
# @title Counter: every call increments one slot, so calls on the same key run strictly in order.
# @notice Slot 0: counters[key]. Non-payable: a call with value reverts.

event Incremented:
    key: indexed(uint256)
    value: uint256

counters: public(HashMap[uint256, uint256])


@external
def increment(key: uint256) -> uint256:
    value: uint256 = self.counters[key] + 1
    self.counters[key] = value
    log Incremented(key=key, value=value)
    return value
