using DiSRouter.Core.Tasks;
using DiSRouter.Models.Tokenization;

namespace DiSRouter.Training.Pool;

/// <summary>
/// Drill sheets: plain-text documents of the nano world's step primitives ("16-1=15, 3*7=21, 40+9=49"), written the way
/// a chain of thought writes them. A chain's errors are nearly all in the computed digits, which a task example holds a
/// handful of among a hundred template tokens; a sheet puts a few dozen of them in the same length, with the loss on the
/// results only (the operands are random draws, nothing to learn). The stand-in for the tables and worked sums that a
/// real pretraining corpus is full of.
/// </summary>
internal static class DrillSheets
{
    public static IEnumerable<CorpusDocument> Documents(int sheets, int perSheet, int seed, ITokenizer tokenizer, double copyShare = 0,
        double nameCopyShare = 0, double optionShare = 0)
    {
        var rng = new StableRandom("drills", seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        for (int s = 0; s < sheets; s++)
        {
            var text = Sheet(rng, perSheet, copyShare, nameCopyShare, optionShare);
            int[] tokens = [tokenizer.BosId, .. tokenizer.Encode(text), tokenizer.EosId];
            yield return new CorpusDocument("drills", tokens, ResultMask(text, tokens.Length));
        }
    }

    /// <summary>
    /// One sheet: <paramref name="count"/> drills joined by ", ": mostly equations, each a running value (0–99) plus or
    /// minus a digit or a one-digit product; a share <paramref name="copyShare"/> are copy drills ("47+3-8 -> 47+3-8",
    /// "Uma has 6 -> Uma has 6"), the other half of a step: taking an operand or a name from the question into the chain.
    /// </summary>
    public static string Sheet(StableRandom rng, int count, double copyShare = 0, double nameCopyShare = 0, double optionShare = 0)
    {
        var parts = new string[count];
        // Invented names are drawn fresh for each sheet (unique within it), never from the knowledge base's generator.
        var names = nameCopyShare > 0 ? new Core.Tasks.Knowledge.NameGenerator(rng) : null;
        for (int i = 0; i < count; i++)
        {
            if (optionShare > 0 && rng.Chance(optionShare))
            {
                parts[i] = OptionDrill(rng);
                continue;
            }
            if (copyShare > 0 && rng.Chance(copyShare))
            {
                var fragment = names is not null && rng.Chance(nameCopyShare) ? InventedName(rng, names) : CopyFragment(rng);
                parts[i] = $"{fragment} -> {fragment}";
                continue;
            }
            if (rng.Chance(0.15))
            {
                var (a, b) = (rng.Between(2, 9), rng.Between(2, 9));
                parts[i] = Core.Tasks.Families.Steps.Op(a, '*', b, a * b);
                continue;
            }
            var value = rng.Between(0, 99);
            var (op, operand) = Core.Tasks.Families.Steps.SmallStep(rng, value);
            parts[i] = Core.Tasks.Families.Steps.Op(value, op, operand, Core.Tasks.Families.Steps.Apply(value, op, operand));
        }
        return string.Join(", ", parts) + ".";
    }

    private static string InventedName(StableRandom rng, Core.Tasks.Knowledge.NameGenerator names) => rng.Next(4) switch
    {
        0 => names.Land(),
        1 => names.City(),
        2 => names.Creature(),
        _ => names.Person(),
    };

    // Four distinct two-digit-or-less values, one of them named: the letter of the named value is the target.
    private static string OptionDrill(StableRandom rng)
    {
        var values = new List<int>();
        while (values.Count < 4)
        {
            var v = rng.Between(0, 99);
            if (!values.Contains(v)) values.Add(v);
        }
        int answer = rng.Next(4);
        var options = string.Join(" | ", values.Select((v, k) => $"{(char)('A' + k)}) {Core.Tasks.Families.Steps.N(v)}"));
        return $"{options} : {Core.Tasks.Families.Steps.N(values[answer])} -> {(char)('A' + answer)}";
    }

    private static string CopyFragment(StableRandom rng)
    {
        if (rng.Chance(0.5))
        {
            var text = Core.Tasks.Families.Steps.N(rng.Between(0, 99));
            for (int k = rng.Between(1, 4); k > 0; k--) text += (rng.Chance(0.5) ? "+" : "-") + Core.Tasks.Families.Steps.N(rng.Between(1, 9));
            return text;
        }
        var person = rng.Pick(Core.Tasks.Families.Vocabulary.People);
        return rng.Chance(0.7) ? $"{person} has {rng.Between(1, 19)}" : $"{person} lives in {rng.Pick(Core.Tasks.Families.Vocabulary.Towns)}";
    }

    /// <summary>Weight 1 on every character after an '=' or a "->" up to and including the separator that ends it (and on the end token); 0 elsewhere.</summary>
    internal static float[] ResultMask(string text, int tokenCount)
    {
        // Byte-level tokens: token i + 1 is character i (token 0 is <|bos|>); the nano world's text is ASCII.
        var mask = new float[tokenCount];
        bool inResult = false;
        for (int i = 0; i < text.Length; i++)
        {
            if (inResult) mask[i + 1] = 1f;
            if (text[i] is '=' or '>') inResult = true;
            else if (text[i] is ',' or '.') inResult = false;
        }
        mask[^1] = 1f;
        return mask;
    }
}
