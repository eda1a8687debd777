# count-printf-damage.awk - count what printf-in-a-signal-handler did to the
# output of fork-printf-handler.
#
#   bin/fork-printf-handler 20000 > out.txt
#   awk -v n=20000 -f count-printf-damage.awk out.txt
#
# Each of the n children should appear in exactly one "started child I pid P"
# line and one "reaped child I pid P status XXXX" line.  Reports lines that
# appear more than once (duplicated), lines that are missing (lost) and lines
# that match neither form (garbled), and ends with one machine-readable line:
#   damage: duplicated=D garbled=G lost=L
BEGIN {
    if (n == "") { print "count-printf-damage: pass -v n=CHILDREN" > "/dev/stderr"; exit 2 }
}
/^started child [0-9]+ pid [0-9]+$/                       { s[$3]++; next }
/^reaped child -?[0-9]+ pid [0-9]+ status [0-9a-f][0-9a-f][0-9a-f][0-9a-f]$/ { r[$3]++; next }
{ garbled++ }
END {
    for (i = 0; i < n; i++) {
        if (s[i] == 0) s_lost++; else if (s[i] > 1) s_dup += s[i] - 1
        if (r[i] == 0) r_lost++; else if (r[i] > 1) r_dup += r[i] - 1
    }
    printf "lines read: %d\n", NR
    printf "started lines: %d lost, %d duplicated (expected %d, one per child)\n", s_lost, s_dup, n
    printf "reaped lines:  %d lost, %d duplicated (expected %d, one per child)\n", r_lost, r_dup, n
    printf "garbled lines: %d\n", garbled
    printf "damage: duplicated=%d garbled=%d lost=%d\n", s_dup + r_dup, garbled + 0, s_lost + r_lost
}
