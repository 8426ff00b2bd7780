<pml>
<schema name="shop">
<module name="shipping" cache="true">
Shipping policy of Harbor Lane Goods. Orders placed before two in the afternoon on a working day leave
our warehouse in Leeds the same day; later orders leave the next working day. Standard delivery inside
the United Kingdom takes two to four working days and costs four pounds, and it is free for orders above
fifty pounds. Express delivery arrives the next working day when it is ordered before noon and costs nine
pounds. We ship to Ireland, France, Germany, the Netherlands and Belgium in five to eight working days for
twelve pounds. Parcels are sent with a tracking number, which is emailed as soon as the parcel leaves the
warehouse. We do not ship to post office boxes, and furniture is delivered by a two-person team on a day
the customer chooses.
</module>
<module name="returns" cache="true">
Returns policy of Harbor Lane Goods. Customers may return any item within thirty days of delivery for a
full refund, as long as it is unused and in its original packaging. Sale items can be returned within
fourteen days. To start a return, the customer fills in the form on the orders page and prints the prepaid
label; the label is free for customers in the United Kingdom and costs six pounds elsewhere. Refunds are
paid to the original payment method within five working days of the parcel reaching our warehouse.
Personalised items, gift cards and opened candles cannot be returned unless they arrive damaged. Damaged
items must be reported within forty-eight hours, with a photograph of the damage.
</module>
<module name="warranty" cache="true">
Warranty of Harbor Lane Goods. Every piece of furniture carries a five-year warranty against defects in
materials and workmanship, and lamps and electrical goods carry a two-year warranty. The warranty covers
repair or replacement at our choice, including collection and delivery. It does not cover normal wear,
scratches, fading in direct sunlight, or damage from misuse, pets or moving house. To claim, the customer
sends the order number, a description of the fault and photographs to the care team, who answer within
two working days. A replaced item keeps the warranty period of the original purchase.
</module>
<module name="payments" cache="true">
Payments at Harbor Lane Goods. We accept Visa, Mastercard, American Express, PayPal and Apple Pay. Orders
above three hundred pounds can be paid in three monthly instalments with no interest, after a short credit
check. Prices include value added tax for customers in the United Kingdom; customers in the European Union
pay the tax of their own country at checkout, so no fees are due on delivery. Gift cards are sold from ten
to five hundred pounds, are valid for two years and can be combined with one other payment method. We
never ask for card details by email or telephone.
</module>
<module name="support" cache="true">
Customer care at Harbor Lane Goods. The care team answers by chat and email from eight in the morning to
eight in the evening on weekdays, and from ten to four on Saturdays; it is closed on Sundays and public
holidays. The telephone line, 0113 496 0000, is open on weekdays from nine to five. Messages sent outside
opening hours are answered the next opening day, oldest first. The team can change the delivery address
of an order until it leaves the warehouse, and can cancel an order free of charge within one hour of
placing it.
</module>
</schema>
</pml>
