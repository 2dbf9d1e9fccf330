package dev.mnemo.experiments.tasks.babi;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The state of one generated story: where each person is, who holds each object or where it lies, and the
 * fact ids that established each of these (the supporting facts). Every action writes its sentence and
 * updates the state, so the answers read from the state are correct by construction.
 */
final class BabiWorld {

    static final List<String> PEOPLE = List.of("Mary", "John", "Sandra", "Daniel");
    static final List<String> LOCATIONS = List.of("bathroom", "hallway", "garden", "office", "bedroom", "kitchen");
    static final List<String> OBJECTS = List.of("football", "apple", "milk");
    static final List<String> MOVE = List.of("moved to", "went to", "journeyed to", "travelled to", "went back to");
    static final List<String> TAKE = List.of("picked up", "got", "grabbed", "took");
    static final List<String> DROP = List.of("dropped", "discarded", "put down", "left");
    static final List<String> GIVE = List.of("handed", "passed", "gave");

    private final SplittableRandom rnd;
    private final List<BabiLine> lines = new ArrayList<>();
    private final Map<String, String> location = new HashMap<>();      // person → location
    private final Map<String, Integer> lastMove = new HashMap<>();     // person → fact id
    private final Map<String, String> holder = new HashMap<>();        // object → person
    private final Map<String, Integer> taken = new HashMap<>();        // object → fact id it reached its holder
    private final Map<String, String> lying = new HashMap<>();         // object → location it was dropped at
    private final Map<String, int[]> dropped = new HashMap<>();        // object → {drop fact, dropper's move}
    private final Map<String, Map<String, Integer>> handling = new HashMap<>(); // person → object → last fact with it
    private final List<String> mentioned = new ArrayList<>();          // rooms the facts have named, first mention first

    BabiWorld(SplittableRandom rnd) {
        this.rnd = rnd;
    }

    List<BabiLine> lines() {
        return lines;
    }

    private int nextId() {
        return lines.size() + 1;
    }

    private <T> T pick(List<T> from) {
        return from.get(rnd.nextInt(from.size()));
    }

    private void say(String text) {
        lines.add(new BabiLine.Fact(nextId(), text));
    }

    void ask(String text, String answer, List<Integer> support) {
        lines.add(new BabiLine.Question(nextId(), text, List.of(answer), new TreeSet<>(support).stream().toList()));
    }

    // ---- actions -----------------------------------------------------------------------------------

    /** A random person goes somewhere other than where they are. */
    void move() {
        String p = pick(PEOPLE);
        List<String> elsewhere = new ArrayList<>(LOCATIONS);
        elsewhere.remove(location.get(p));
        String loc = pick(elsewhere);
        say(p + " " + pick(MOVE) + " the " + loc + ".");
        if (!mentioned.contains(loc)) {
            mentioned.add(loc);
        }
        location.put(p, loc);
        lastMove.put(p, lines.size());
    }

    /** A person with a known place takes a free object that is not lying elsewhere; false if none can. */
    boolean take() {
        List<String[]> options = new ArrayList<>();
        for (String p : PEOPLE) {
            for (String o : OBJECTS) {
                boolean free = !holder.containsKey(o) && (!lying.containsKey(o) || lying.get(o).equals(location.get(p)));
                if (location.containsKey(p) && free) {
                    options.add(new String[] {p, o});
                }
            }
        }
        if (options.isEmpty()) {
            return false;
        }
        String[] po = pick(options);
        say(po[0] + " " + pick(TAKE) + " the " + po[1] + " there.");
        gain(po[0], po[1]);
        return true;
    }

    /** Someone holding an object drops it where they are; false if nobody holds anything. */
    boolean drop() {
        List<String> held = OBJECTS.stream().filter(holder::containsKey).toList();
        if (held.isEmpty()) {
            return false;
        }
        String o = pick(held);
        String p = holder.remove(o);
        taken.remove(o);
        say(p + " " + pick(DROP) + " the " + o + ".");
        lying.put(o, location.get(p));
        dropped.put(o, new int[] {lines.size(), lastMove.get(p)});
        handled(p, o);
        return true;
    }

    /** Someone hands an object to another person in the same place; false if no such pair exists. */
    boolean give() {
        List<String[]> options = new ArrayList<>();
        for (String o : OBJECTS) {
            String from = holder.get(o);
            for (String to : PEOPLE) {
                if (from != null && !to.equals(from) && location.get(from).equals(location.get(to))) {
                    options.add(new String[] {o, from, to});
                }
            }
        }
        if (options.isEmpty()) {
            return false;
        }
        String[] ofT = pick(options);
        say(ofT[1] + " " + pick(GIVE) + " the " + ofT[0] + " to " + ofT[2] + ".");
        handled(ofT[1], ofT[0]);
        gain(ofT[2], ofT[0]);
        return true;
    }

    private void gain(String person, String object) {
        holder.put(object, person);
        taken.put(object, lines.size());
        lying.remove(object);
        dropped.remove(object);
        handled(person, object);
    }

    /** The newest fact moved {@code object} to or from {@code person}. */
    private void handled(String person, String object) {
        handling.computeIfAbsent(person, k -> new HashMap<>()).put(object, lines.size());
    }

    // ---- what can be asked -----------------------------------------------------------------------

    /** People whose place is known. */
    List<String> placedPeople() {
        return PEOPLE.stream().filter(location::containsKey).toList();
    }

    /** The rooms the story's facts have named so far, in order of first mention. */
    List<String> mentionedRooms() {
        return List.copyOf(mentioned);
    }

    String locationOf(String person) {
        return location.get(person);
    }

    int lastMoveOf(String person) {
        return lastMove.get(person);
    }

    /** Objects whose place is known: held by someone (who always has a place) or lying where dropped. */
    List<String> placedObjects() {
        return OBJECTS.stream().filter(o -> holder.containsKey(o) || lying.containsKey(o)).toList();
    }

    /** Where object o is. */
    String locationOfObject(String o) {
        return holder.containsKey(o) ? location.get(holder.get(o)) : lying.get(o);
    }

    /** The two facts that place object o: how it reached its holder and the holder's last move, or the drop and the dropper's move before it. */
    List<Integer> objectSupport(String o) {
        if (holder.containsKey(o)) {
            return List.of(taken.get(o), lastMove.get(holder.get(o)));
        }
        int[] d = dropped.get(o);
        return List.of(d[0], d[1]);
    }

    /** People who have gained or lost an object in a fact so far. */
    List<String> handlers() {
        return PEOPLE.stream().filter(handling::containsKey).toList();
    }

    /** How many objects person p holds. */
    int carried(String p) {
        return (int) OBJECTS.stream().filter(o -> p.equals(holder.get(o))).count();
    }

    /**
     * For each object p has ever gained or lost, the last fact that did so: together they settle what p
     * carries now (ascending).
     */
    List<Integer> handlingFacts(String p) {
        return List.copyOf(new TreeSet<>(handling.getOrDefault(p, Map.of()).values()));
    }
}
