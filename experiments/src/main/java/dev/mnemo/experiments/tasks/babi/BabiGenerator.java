package dev.mnemo.experiments.tasks.babi;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * <b>Generated</b> bAbI-style data (not the public bAbI files, which are not available offline) for four
 * task types, in the v1.2 format: qa1 single supporting fact, qa2 two supporting facts, qa6 yes/no
 * questions, qa7 counting. Results on it must be labelled as generated data.
 *
 * <p>A small world simulation ({@link BabiWorld}: people Mary, John, Sandra, Daniel; six rooms; a
 * football, an apple and milk) writes each action as a sentence and updates its state; questions are read
 * from the state, so answers and supporting facts are correct by construction. A story is
 * {@code questionsPerStory} rounds of {@code factsPerQuestion} facts and one question (plus extra facts
 * when nothing is askable yet, e.g. nobody has moved).
 *
 * <ul>
 *   <li>qa1: facts are moves ("Mary moved to the bathroom."); "Where is P?" about a person who has moved;
 *       answer a room; support: P's last move.</li>
 *   <li>qa2: moves, takes ("John got the football there.") and drops ("John dropped the football.");
 *       "Where is the O?" about an object that is held or lying; support: the fact that gave O to its
 *       holder and the holder's last move, or the drop and the dropper's last move before it.</li>
 *   <li>qa6: moves; "Is P in the R?"; answer yes / no, <b>exactly balanced</b> over the whole data set
 *       (a shuffled deck of ⌊n/2⌋ yes); a "no" names a room other than P's that the story has named (asked
 *       once it names two), so whether the room was mentioned at all does not give the answer away (it did:
 *       "yes if the room is in the facts" scored 0.73 when a "no" could name any room); support: P's last
 *       move.</li>
 *   <li>qa7: moves, takes, drops and hands ("Daniel handed the apple to Mary.", only between people in the
 *       same room); "How many objects is P carrying?" about someone who has handled an object; answer
 *       none / one / two / three; support: for each object P has ever gained or lost, the last fact that
 *       did so (these settle what P carries now).</li>
 * </ul>
 * Supporting ids are written in ascending order. The same config gives the same stories.
 */
public final class BabiGenerator {

    /** The words for counts (qa7). */
    public static final List<String> COUNTS = List.of("none", "one", "two", "three");

    private BabiGenerator() {
    }

    /**
     * @param task              which task type
     * @param stories           how many stories (≥ 1)
     * @param questionsPerStory questions per story (≥ 1; the public files use 5 in qa1)
     * @param factsPerQuestion  facts before each question (≥ 1)
     * @param seed              the random seed
     */
    public record Config(BabiTask task, int stories, int questionsPerStory, int factsPerQuestion, long seed) {
        public Config {
            Objects.requireNonNull(task, "task");
            if (stories < 1) {
                throw new IllegalArgumentException("stories must be >= 1, got " + stories);
            }
            if (questionsPerStory < 1) {
                throw new IllegalArgumentException("questionsPerStory must be >= 1, got " + questionsPerStory);
            }
            if (factsPerQuestion < 1) {
                throw new IllegalArgumentException("factsPerQuestion must be >= 1, got " + factsPerQuestion);
            }
        }

        /** 5 questions per story; 2 facts per question (qa1, qa6), 3 (qa2, qa7: more happens between questions). */
        public static Config defaults(BabiTask task, int stories, long seed) {
            int facts = task == BabiTask.TWO_SUPPORTING_FACTS || task == BabiTask.COUNTING ? 3 : 2;
            return new Config(task, stories, 5, facts, seed);
        }
    }

    /** {@link Config#defaults} stories. */
    public static List<BabiStory> generate(BabiTask task, int stories, long seed) {
        return generate(Config.defaults(task, stories, seed));
    }

    public static List<BabiStory> generate(Config c) {
        SplittableRandom rnd = new SplittableRandom(c.seed() ^ 0xBAB1L * c.task().number());
        boolean[] yes = c.task() == BabiTask.YES_NO_QUESTIONS ? balancedDeck(c.stories() * c.questionsPerStory(), rnd)
                : null;
        List<BabiStory> out = new ArrayList<>();
        int asked = 0;
        for (int s = 0; s < c.stories(); s++) {
            BabiWorld w = new BabiWorld(rnd);
            for (int q = 0; q < c.questionsPerStory(); q++) {
                for (int f = 0; f < c.factsPerQuestion(); f++) {
                    act(c.task(), w, rnd);
                }
                while (!askable(c.task(), w)) {
                    enable(c.task(), w);
                }
                ask(c.task(), w, rnd, yes == null ? false : yes[asked]);
                asked++;
            }
            out.add(new BabiStory(c.task().number(), w.lines()));
        }
        return out;
    }

    /**
     * Writes {@code task.generatedFileName(split)} into {@code dir}, with a header comment saying the data
     * is generated and by which config; returns the file.
     */
    public static Path writeFile(Path dir, String split, Config c) throws IOException {
        Path file = dir.resolve(c.task().generatedFileName(split));
        String header = "GENERATED data (Mnemo BabiGenerator), not the public bAbI v1.2 files: task qa"
                + c.task().number() + " " + c.task().slug() + ", split " + split + ", stories " + c.stories()
                + ", questions/story " + c.questionsPerStory() + ", facts/question " + c.factsPerQuestion()
                + ", seed " + c.seed();
        BabiWriter.write(file, generate(c), header);
        return file;
    }

    private static void act(BabiTask task, BabiWorld w, SplittableRandom rnd) {
        double r = rnd.nextDouble();
        boolean done = switch (task) {
            case SINGLE_SUPPORTING_FACT, YES_NO_QUESTIONS -> false;
            case TWO_SUPPORTING_FACTS -> r < 0.5 ? false : r < 0.8 ? w.take() : w.drop();
            case COUNTING -> r < 0.3 ? false : r < 0.6 ? w.take() : r < 0.8 ? w.drop() : w.give();
        };
        if (!done) {
            w.move();
        }
    }

    private static boolean askable(BabiTask task, BabiWorld w) {
        return switch (task) {
            case SINGLE_SUPPORTING_FACT -> !w.placedPeople().isEmpty();
            case YES_NO_QUESTIONS -> !w.placedPeople().isEmpty() && w.mentionedRooms().size() >= 2;
            case TWO_SUPPORTING_FACTS -> !w.placedObjects().isEmpty();
            case COUNTING -> !w.handlers().isEmpty();
        };
    }

    /** One fact that brings the world closer to askable: a take where someone can, else a move. */
    private static void enable(BabiTask task, BabiWorld w) {
        boolean objects = task == BabiTask.TWO_SUPPORTING_FACTS || task == BabiTask.COUNTING;
        if (!objects || !w.take()) {
            w.move();
        }
    }

    private static void ask(BabiTask task, BabiWorld w, SplittableRandom rnd, boolean yes) {
        switch (task) {
            case SINGLE_SUPPORTING_FACT -> {
                String p = pick(w.placedPeople(), rnd);
                w.ask("Where is " + p + "?", w.locationOf(p), List.of(w.lastMoveOf(p)));
            }
            case YES_NO_QUESTIONS -> {
                String p = pick(w.placedPeople(), rnd);
                List<String> others = new ArrayList<>(w.mentionedRooms());   // askable: two or more
                others.remove(w.locationOf(p));
                String room = yes ? w.locationOf(p) : pick(others, rnd);
                w.ask("Is " + p + " in the " + room + "?", yes ? "yes" : "no", List.of(w.lastMoveOf(p)));
            }
            case TWO_SUPPORTING_FACTS -> {
                String o = pick(w.placedObjects(), rnd);
                w.ask("Where is the " + o + "?", w.locationOfObject(o), w.objectSupport(o));
            }
            case COUNTING -> {
                String p = pick(w.handlers(), rnd);
                w.ask("How many objects is " + p + " carrying?", COUNTS.get(w.carried(p)), w.handlingFacts(p));
            }
        }
    }

    private static <T> T pick(List<T> from, SplittableRandom rnd) {
        return from.get(rnd.nextInt(from.size()));
    }

    /** n flags, ⌊n/2⌋ true (plus a coin for odd n), shuffled. */
    private static boolean[] balancedDeck(int n, SplittableRandom rnd) {
        boolean[] deck = new boolean[n];
        for (int i = 0; i < n / 2; i++) {
            deck[i] = true;
        }
        if (n % 2 == 1) {
            deck[n - 1] = rnd.nextBoolean();
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            boolean tmp = deck[i];
            deck[i] = deck[j];
            deck[j] = tmp;
        }
        return deck;
    }
}
