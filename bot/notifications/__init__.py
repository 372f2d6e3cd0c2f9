"""Changes that reach suppliers: an order shipped, an invoice paid, told to each linked chat."""
