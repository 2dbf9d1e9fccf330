package dev.mnemo.experiments.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ParseResult;

/**
 * Options that only some tasks (or experiments) read. One given for another is refused with a line
 * saying whose it is, not silently ignored: `--window 0` on a Tomita run, or `--data` with a typo in
 * `--task`, used to train as if they were not there.
 */
final class OptionScope {

    private record Group(String name, String members, List<String> options) {
    }

    private final List<Group> groups = new ArrayList<>();

    /** {@code options} belong to the group {@code name}, whose members {@code members} lists for the message ("": none). */
    OptionScope group(String name, String members, String... options) {
        groups.add(new Group(name, members, List.of(options)));
        return this;
    }

    /**
     * Refuses any option given on the command line that belongs to groups other than {@code chosen} and not to
     * {@code chosen} itself.
     *
     * @param what the chosen task or experiment as the message names it, e.g. "task tomita4"
     */
    void check(ParseResult parsed, String chosen, String what) {
        Map<String, List<Group>> owners = new LinkedHashMap<>();
        for (Group g : groups) {
            for (String o : g.options()) {
                owners.computeIfAbsent(o, k -> new ArrayList<>()).add(g);
            }
        }
        for (var e : owners.entrySet()) {
            List<Group> own = e.getValue();
            if (own.stream().anyMatch(g -> g.name().equals(chosen)) || !parsed.hasMatchedOption(e.getKey())) {
                continue;
            }
            List<String> whose = own.stream().map(g -> g.members().isEmpty() ? g.name()
                    : g.name() + " (" + g.members() + ")").toList();
            throw new IllegalArgumentException(e.getKey() + " is an option of " + String.join(" and ", whose)
                    + ", not of " + what);
        }
    }
}
