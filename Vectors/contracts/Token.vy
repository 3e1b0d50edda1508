# pragma version ~=0.4.3
# @title Token: a minimal ERC-20 for the erc20 and mixed workloads.
# @notice Balances and allowances only; the generator writes the pre-state storage by hand
#         (slot 0 balanceOf, slot 1 allowance, slot 2 totalSupply). Vyper keys a HashMap
#         at keccak256(pad32(slot) ++ pad32(key)), the reverse of Solidity's order.

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256

balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])
totalSupply: public(uint256)


@external
def transfer(receiver: address, amount: uint256) -> bool:
    # Checked arithmetic: an overdraft reverts (the generator's revert case).
    self.balanceOf[msg.sender] -= amount
    self.balanceOf[receiver] += amount
    log Transfer(sender=msg.sender, receiver=receiver, value=amount)
    return True


@external
def transferFrom(owner: address, receiver: address, amount: uint256) -> bool:
    self.allowance[owner][msg.sender] -= amount
    self.balanceOf[owner] -= amount
    self.balanceOf[receiver] += amount
    log Transfer(sender=owner, receiver=receiver, value=amount)
    return True


@external
def approve(spender: address, amount: uint256) -> bool:
    self.allowance[msg.sender][spender] = amount
    log Approval(owner=msg.sender, spender=spender, value=amount)
    return True
