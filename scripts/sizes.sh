#!/bin/sh
# Source files over 800 lines and functions over 100 lines (the project's
# guideline is about 1,000 and 120). A function is counted from the line
# that names it in column 0 to its closing brace in column 0, as the code's
# style writes them. Usage: sh scripts/sizes.sh [MAXFILE [MAXFUNC]]
cd "$(dirname "$0")/.." || exit 2
maxfile=${1:-800}
maxfunc=${2:-100}
files=$(git ls-files '*.c' '*.h')
echo "files over $maxfile lines:"
for f in $files; do
	n=$(wc -l <"$f")
	[ "$n" -gt "$maxfile" ] && echo "  $n $f"
done | sort -rn
echo "functions over $maxfunc lines:"
for f in $(git ls-files '*.c'); do
	awk -v f="$f" -v max="$maxfunc" '
		/^[A-Za-z_][A-Za-z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name); start = NR; next }
		/^}/ && start { n = NR - start + 1; if (n > max) printf "  %d %s:%d %s\n", n, f, start, name; start = 0 }
	' "$f"
done | sort -rn
