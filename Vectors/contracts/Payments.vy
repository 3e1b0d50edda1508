# pragma version ~=0.4.3
# @title Payments: a prepaid ledger where many payers pay a few merchants.
# @notice Slots: 0 balances[account], 1 paid[payer][merchant] (what a refund may return),
#         2 subscriptions[subscriber][merchant] (price a merchant may charge per call).
#         Merchants are the hot receivers: every payment to one writes its balance.

event Payment:
    payer: indexed(address)
    merchant: indexed(address)
    amount: uint256

event Refund:
    merchant: indexed(address)
    payer: indexed(address)
    amount: uint256

balances: public(HashMap[address, uint256])
paid: public(HashMap[address, HashMap[address, uint256]])
subscriptions: public(HashMap[address, HashMap[address, uint256]])


@internal
def _pay(payer: address, merchant: address, amount: uint256):
    self.balances[payer] -= amount
    self.balances[merchant] += amount
    self.paid[payer][merchant] += amount
    log Payment(payer=payer, merchant=merchant, amount=amount)


@external
@payable
def deposit():
    self.balances[msg.sender] += msg.value


@external
def pay(merchant: address, amount: uint256):
    self._pay(msg.sender, merchant, amount)


@external
def pay_batch(merchants: DynArray[address, 8], amounts: DynArray[uint256, 8]):
    assert len(merchants) == len(amounts), "length"
    for i: uint256 in range(len(merchants), bound=8):
        self._pay(msg.sender, merchants[i], amounts[i])


@external
def refund(payer: address, amount: uint256):
    # A merchant returns at most what this payer paid it.
    self.paid[payer][msg.sender] -= amount
    self.balances[msg.sender] -= amount
    self.balances[payer] += amount
    log Refund(merchant=msg.sender, payer=payer, amount=amount)


@external
def subscribe(merchant: address, price: uint256):
    self.subscriptions[msg.sender][merchant] = price


@external
def charge(subscriber: address):
    price: uint256 = self.subscriptions[subscriber][msg.sender]
    assert price > 0, "not subscribed"
    self._pay(subscriber, msg.sender, price)


@external
def withdraw(amount: uint256):
    self.balances[msg.sender] -= amount
    send(msg.sender, amount)
