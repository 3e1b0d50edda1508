# pragma version ~=0.4.3
# @title Collectible: an ERC-721-style mint with sequential token ids.
# @notice Slots: 0 next_id, 1 owner_of[id], 2 balance_of[owner]. mint() reads and bumps next_id,
#         so every mint depends on the one before it; claim(id) takes an explicit id (high ids
#         are never reached by mint) and conflicts only on the id and the owner's balance.

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    token_id: indexed(uint256)

next_id: public(uint256)
owner_of: public(HashMap[uint256, address])
balance_of: public(HashMap[address, uint256])


@internal
def _mint(receiver: address, token_id: uint256):
    assert self.owner_of[token_id] == empty(address), "taken"
    self.owner_of[token_id] = receiver
    self.balance_of[receiver] += 1
    log Transfer(sender=empty(address), receiver=receiver, token_id=token_id)


@external
def mint() -> uint256:
    token_id: uint256 = self.next_id
    self.next_id = token_id + 1
    self._mint(msg.sender, token_id)
    return token_id


@external
def claim(token_id: uint256):
    self._mint(msg.sender, token_id)
