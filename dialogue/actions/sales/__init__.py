"""Sales intents, one module each: customer_lookup, sales_summary, customer_industry, recommend_products,
product_description; plus the customer-name form the three customer intents share.

Form "customer_name" (slot "customer_for" = the intent that asked): the next message names the
customer; "cancel" closes it; a message that names no known customer and is not a short answer
returns [] so the manager handles it (the form stays until another form replaces it).
Form "product_description": the next message gives a SKU or the product's attributes.
"""
