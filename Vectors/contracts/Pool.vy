# pragma version ~=0.4.3
# @title Pool: many constant-product (x * y = k) pools in one contract, keyed by pool id.
# @notice Traders hold both assets inside the contract (slot 2 and 3 ledgers), so a swap touches
#         exactly the pool's two reserves and the trader's two balances: every swap on one pool
#         conflicts with every other swap on it. Slots: 0 reserve0[pool], 1 reserve1[pool],
#         2 balance0[trader], 3 balance1[trader]. The fee is 0.3%, as in Uniswap V2.

event Swap:
    trader: indexed(address)
    pool: indexed(uint256)
    zero_for_one: bool
    amount_in: uint256
    amount_out: uint256

reserve0: public(HashMap[uint256, uint256])
reserve1: public(HashMap[uint256, uint256])
balance0: public(HashMap[address, uint256])
balance1: public(HashMap[address, uint256])


@external
def swap(pool: uint256, zero_for_one: bool, amount_in: uint256, min_out: uint256) -> uint256:
    r0: uint256 = self.reserve0[pool]
    r1: uint256 = self.reserve1[pool]
    assert r0 > 0 and r1 > 0, "no pool"
    with_fee: uint256 = amount_in * 997
    amount_out: uint256 = 0
    if zero_for_one:
        amount_out = with_fee * r1 // (r0 * 1000 + with_fee)
        assert amount_out >= min_out, "slippage"
        self.balance0[msg.sender] -= amount_in
        self.balance1[msg.sender] += amount_out
        self.reserve0[pool] = r0 + amount_in
        self.reserve1[pool] = r1 - amount_out
    else:
        amount_out = with_fee * r0 // (r1 * 1000 + with_fee)
        assert amount_out >= min_out, "slippage"
        self.balance1[msg.sender] -= amount_in
        self.balance0[msg.sender] += amount_out
        self.reserve1[pool] = r1 + amount_in
        self.reserve0[pool] = r0 - amount_out
    log Swap(trader=msg.sender, pool=pool, zero_for_one=zero_for_one, amount_in=amount_in, amount_out=amount_out)
    return amount_out
