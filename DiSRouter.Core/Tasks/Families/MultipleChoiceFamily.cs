using DiSRouter.Core.Tasks.Grading;
using DiSRouter.Core.Tasks.Knowledge;
using static DiSRouter.Core.Tasks.Families.Steps;

namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// Options A–D; the answer is a letter. 60 % ask a knowledge-base fact with three distractors of the same
/// relation (difficulty = frequency tier); 40 % ask a sum or product whose distractors are near misses
/// (±1, ±2, ±3, ±10, ±11, ±20 with the answer's rank among them uniform; difficulty = operands and operation:
/// one-digit sums, teen ± digit, 2-digit ± digit, one-digit products, 2-digit ± 2-digit).
/// The chain works the value out and names the letter (<see cref="Tasks.ChoiceChain"/>). With the letter straight after
/// the value ("7*8=56, option D", the default) the model has to find where that value stood among the options and
/// recall the letter before it; every member of the nano pool learnt one constant letter instead (nano-5 wrote
/// "option C" whatever the value). <see cref="ChoiceChain.CopiedPairs"/> copies the options as value-letter pairs first,
/// so the letter is what came after the same text a few tokens back; a nano-3 pilot still wrote one constant letter
/// (docs/pool.md has the pilots). <see cref="ChoiceChain.OptionText"/> answers with the right option's text, which the
/// grader takes for its letter.
/// </summary>
internal sealed class MultipleChoiceFamily(KnowledgeBase kb, ChoiceChain chain = ChoiceChain.LetterAfterValue) : ITaskGenerator
{
    public TaskFamily Info { get; } = new(TaskFamilies.MultipleChoice, TaskDomain.InDomain,
        "Multiple choice A–D over knowledge-base facts and arithmetic; difficulty = tier or digits.", [GraderKind.Choice], "ARC / MMLU");

    public TaskItem Create(StableRandom rng, int difficulty)
    {
        CheckDifficulty(difficulty);
        return rng.Chance(0.6) ? Fact(rng, difficulty) : Sum(rng, difficulty);
    }

    private TaskItem Fact(StableRandom rng, int difficulty)
    {
        var fact = rng.Pick(kb.FactsOfTier(difficulty));
        var pool = kb.ObjectsOf(fact.Relation.Name).Where(o => o != fact.Object).ToList();
        var options = rng.Sample(pool, 3);
        var answerIndex = rng.Next(4);
        options.Insert(answerIndex, fact.Object);
        var q = Relation.Fill(fact.Relation.ChoiceStem, fact.Subject, fact.Object);
        var letter = TaskItem.OptionLetter(answerIndex);
        return new TaskItem("", Info.Name, Info.Domain, difficulty, q, options, letter, Chain(fact.Statement, options, answerIndex))
        { SplitKey = fact.Key, ReplyAnswer = ReplyAnswer(options, answerIndex) };
    }

    private TaskItem Sum(StableRandom rng, int difficulty)
    {
        var (a, op, b) = difficulty switch
        {
            1 => (Digits(rng, 1), '+', Digits(rng, 1)),
            2 => (rng.Between(10, 20), rng.Chance(0.5) ? '+' : '-', Digits(rng, 1)),
            3 => (Digits(rng, 2), rng.Chance(0.5) ? '+' : '-', Digits(rng, 1)),
            4 => (Digits(rng, 1), '*', Digits(rng, 1)),
            _ => (Digits(rng, 2), rng.Chance(0.5) ? '+' : '-', Digits(rng, 2)),
        };
        if (op == '-' && b > a) (a, b) = (b, a);
        var result = Apply(a, op, b);

        // Near misses on both sides, with the answer's place among the sorted options uniform, so that "pick the
        // middle option" is no better than chance.
        int[] offsets = [1, 2, 3, 10, 11, 20];
        var belowPool = offsets.Where(o => result - o >= 0).ToList();
        var below = Math.Min(rng.Next(4), belowPool.Count);
        var deltas = rng.Sample(belowPool, below).Select(o => -(long)o);
        var above = rng.Sample(offsets, 3 - below).Select(o => (long)o);
        var chosen = deltas.Concat(above).Select(d => N(result + d)).ToList();
        rng.Shuffle(chosen);
        var answerIndex = rng.Next(4);
        chosen.Insert(answerIndex, N(result));
        var q = $"What is {N(a)}{op}{N(b)}?";
        var letter = TaskItem.OptionLetter(answerIndex);
        return new TaskItem("", Info.Name, Info.Domain, difficulty, q, chosen, letter, Chain(Op(a, op, b, result), chosen, answerIndex))
        { SplitKey = q, ReplyAnswer = ReplyAnswer(chosen, answerIndex) };
    }

    /// <summary>The chain from the worked value (a sum or a fact statement, ending in the right option's text) to the letter.</summary>
    internal string Chain(string worked, IReadOnlyList<string> options, int answerIndex)
    {
        var letter = TaskItem.OptionLetter(answerIndex);
        if (chain == ChoiceChain.OptionText) return worked;
        if (chain == ChoiceChain.LetterAfterValue) return $"{worked}, option {letter}";
        var pairs = string.Join(", ", options.Select((o, i) => $"{o} {TaskItem.OptionLetter(i)}"));
        return $"{pairs}; {worked} {letter}";
    }

    // The reply's final answer when it is the option's text rather than the reference letter.
    private string? ReplyAnswer(IReadOnlyList<string> options, int answerIndex) => chain == ChoiceChain.OptionText ? options[answerIndex] : null;
}
