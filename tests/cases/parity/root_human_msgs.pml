<system-msg>Be nice.</system-msg>
<human-msg>Hello!</human-msg>
