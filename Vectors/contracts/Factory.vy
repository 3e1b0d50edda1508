# pragma version ~=0.4.3
# @title Factory: CREATE2 deployments from caller-supplied init code.
# @notice A collision (EIP-684) or a failing constructor returns the zero address instead of
#         reverting, so the transaction still succeeds and records it. Init code that runs
#         SELFDESTRUCT deletes the new account in the same transaction (EIP-6780), which frees
#         the address for the next redeploy with the same salt. Slot 0: last[salt].

event Deployed:
    salt: indexed(bytes32)
    child: address

last: public(HashMap[bytes32, address])


@external
@payable
def deploy(salt: bytes32, initcode: Bytes[256]) -> address:
    child: address = raw_create(initcode, salt=salt, value=msg.value, revert_on_failure=False)
    self.last[salt] = child
    log Deployed(salt=salt, child=child)
    return child
