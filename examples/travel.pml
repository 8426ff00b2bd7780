<!-- Reusable, cached modules: the booking policy and a destination guide come from lib/travel.pml,
     render once, and end where provider prompt caches can reuse them (try `pml cache plan`);
     the date and the question change on every request and come last. -->
<pml>
<import src="lib/travel.pml" as="lib"/>
<let name="today" volatile="true"/>
<use module="lib.policy" agency="Northwind Travel"/>
<use module="lib.guide"><use module="kyoto"/></use>
<human-msg>Today is {{ today }}. {{ question }}</human-msg>
</pml>
