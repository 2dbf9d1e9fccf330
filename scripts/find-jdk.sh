# shellcheck shell=bash
# Sourced by ./mnemo and scripts/*.sh: sets JAVA_HOME to a JDK 25 or newer, or explains what is missing.
# Order: $JAVA_HOME, /usr/lib/jvm/*25* (and newer), the `java` on PATH.

mnemo_java_major() {  # prints the feature version of the java binary $1, or nothing
  "$1" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1
}

mnemo_find_jdk() {
  local tried=() candidate major
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for candidate in /usr/lib/jvm/*; do
    case "$candidate" in *2[5-9]*|*3[0-9]*) candidates+=("$candidate") ;; esac
  done
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for candidate in "${candidates[@]}"; do
    if [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ]; then
      major=$(mnemo_java_major "$candidate/bin/java")
      if [ -n "$major" ] && [ "$major" -ge 25 ]; then
        export JAVA_HOME="$candidate"
        export PATH="$JAVA_HOME/bin:$PATH"
        return 0
      fi
      tried+=("$candidate (Java ${major:-unknown})")
    else
      tried+=("$candidate (no bin/java and bin/javac)")
    fi
  done
  echo "mnemo: needs a JDK 25 or newer; none found." >&2
  if [ ${#tried[@]} -eq 0 ]; then
    echo "  looked at: JAVA_HOME (unset), /usr/lib/jvm/*25* (none), java on PATH (none)" >&2
  else
    printf '  tried: %s\n' "${tried[@]}" >&2
  fi
  echo "  install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}
