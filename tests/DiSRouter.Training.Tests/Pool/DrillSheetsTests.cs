using System.Text.RegularExpressions;
using DiSRouter.Core.Tasks;
using DiSRouter.Models.Tokenization;
using DiSRouter.Training.Pool;

namespace DiSRouter.Training.Tests.Pool;

public sealed partial class DrillSheetsTests
{
    private static readonly ByteTokenizer Tokenizer = ByteTokenizer.Default;

    [GeneratedRegex(@"^(\d+)([+\-*])(\d+)=(\d+)$")]
    private static partial Regex Equation();

    [Fact]
    public void EveryEquationOnASheetIsAStepOfTheWorldAndTrue()
    {
        var sheet = DrillSheets.Sheet(new StableRandom("t"), 400);

        Assert.EndsWith(".", sheet);
        var parts = sheet.TrimEnd('.').Split(", ");
        Assert.Equal(400, parts.Length);
        foreach (var p in parts)
        {
            var m = Equation().Match(p);
            Assert.True(m.Success, p);
            int a = int.Parse(m.Groups[1].Value), b = int.Parse(m.Groups[3].Value), r = int.Parse(m.Groups[4].Value);
            char op = m.Groups[2].Value[0];
            Assert.Equal(op switch { '+' => a + b, '-' => a - b, _ => a * b }, r);
            if (op == '*') Assert.InRange(a, 2, 9);
            else { Assert.InRange(a, 0, 99); Assert.InRange(b, 1, 9); Assert.InRange(r, 0, 99); }
        }
        Assert.Contains(parts, p => p.Contains('*'));
        Assert.Contains(parts, p => p.Contains('-'));
    }

    [Fact]
    public void LossFallsOnTheResultsAndTheirSeparatorsOnly()
    {
        var mask = DrillSheets.ResultMask("12+3=15, 4*5=20.", 18);

        // token 0 is <|bos|>, token i + 1 is character i; the last token is <|eos|>.
        var weighted = string.Concat("12+3=15, 4*5=20.".Select((c, i) => mask[i + 1] > 0 ? c : '_'));
        Assert.Equal("_____15,_____20.", weighted);
        Assert.Equal(1f, mask[^1]);
        Assert.Equal(0f, mask[0]);
    }

    [Fact]
    public void CopyDrillsRepeatTheirFragmentAndWeighOnlyTheCopy()
    {
        var sheet = DrillSheets.Sheet(new StableRandom("c"), 300, copyShare: 1);
        var parts = sheet.TrimEnd('.').Split(", ");

        Assert.All(parts, p =>
        {
            var halves = p.Split(" -> ");
            Assert.Equal(2, halves.Length);
            Assert.Equal(halves[0], halves[1]);
        });
        Assert.Contains(parts, p => p.Contains(" has "));
        Assert.Contains(parts, p => char.IsDigit(p[0]));
        var mask = DrillSheets.ResultMask("Uma has 6 -> Uma has 6.", 25);
        Assert.Equal("____________ Uma has 6.", string.Concat("Uma has 6 -> Uma has 6.".Select((c, i) => mask[i + 1] > 0 ? c : '_')));
    }

    [GeneratedRegex(@"^A\) (\d+) \| B\) (\d+) \| C\) (\d+) \| D\) (\d+) : (\d+) -> ([ABCD])$")]
    private static partial Regex Option();

    [Fact]
    public void OptionDrillsNameTheLetterOfTheirValueAndWeighOnlyTheLetter()
    {
        var parts = DrillSheets.Sheet(new StableRandom("o"), 200, optionShare: 1).TrimEnd('.').Split(", ");

        Assert.All(parts, p =>
        {
            var m = Option().Match(p);
            Assert.True(m.Success, p);
            var values = Enumerable.Range(1, 4).Select(g => m.Groups[g].Value).ToList();
            Assert.Equal(4, values.Distinct().Count());
            Assert.Equal(m.Groups[5].Value, values[m.Groups[6].Value[0] - 'A']);
        });
        Assert.Equal(4, parts.Select(p => p[^1]).Distinct().Count());
        const string one = "A) 4 | B) 7 | C) 5 | D) 6 : 7 -> B.";
        var mask = DrillSheets.ResultMask(one, one.Length + 2);
        Assert.Equal(new string('_', one.Length - 3) + " B.", string.Concat(one.Select((c, i) => mask[i + 1] > 0 ? c : '_')));
    }

    [Fact]
    public void NameCopyDrillsCopyInventedNamesOnlyWhenAsked()
    {
        static IEnumerable<string> Fragments(string sheet) => sheet.TrimEnd('.').Split(", ").Select(p => p.Split(" -> ")[0]);
        var people = Core.Tasks.Families.Vocabulary.People.ToHashSet();
        bool Invented(string f) => f.All(char.IsLetter) && !people.Contains(f);

        var withNames = Fragments(DrillSheets.Sheet(new StableRandom("n"), 200, copyShare: 1, nameCopyShare: 1)).ToList();
        var without = Fragments(DrillSheets.Sheet(new StableRandom("n"), 200, copyShare: 1)).ToList();

        Assert.All(withNames, f => Assert.True(Invented(f), f));
        Assert.DoesNotContain(without, Invented);
    }

    [Fact]
    public void NewDrillKindsStayOutOfTheSpecsJsonWhileOff()
    {
        // The spec's JSON is part of the data hash: a knob that is off must not change the hash of specs written before it.
        var off = System.Text.Json.JsonSerializer.Serialize(new CorpusSpec { DrillSheets = 10 });
        var on = System.Text.Json.JsonSerializer.Serialize(new CorpusSpec { DrillSheets = 10, OptionDrillShare = 0.1, NameCopyShare = 0.5 });

        Assert.DoesNotContain("OptionDrillShare", off);
        Assert.DoesNotContain("NameCopyShare", off);
        Assert.Contains("OptionDrillShare", on);
        Assert.Contains("NameCopyShare", on);
    }

    [Fact]
    public void DocumentsAreDeterministicAndFramedByBosAndEos()
    {
        var first = DrillSheets.Documents(5, 8, seed: 3, Tokenizer).ToList();
        var again = DrillSheets.Documents(5, 8, seed: 3, Tokenizer).ToList();
        var other = DrillSheets.Documents(5, 8, seed: 4, Tokenizer).ToList();

        Assert.Equal(5, first.Count);
        Assert.All(first, d => Assert.Equal("drills", d.Source));
        Assert.All(first, d => { Assert.Equal(Tokenizer.BosId, d.Tokens[0]); Assert.Equal(Tokenizer.EosId, d.Tokens[^1]); });
        Assert.Equal(first.Select(d => d.Tokens), again.Select(d => d.Tokens));
        Assert.NotEqual(first.Select(d => d.Tokens), other.Select(d => d.Tokens));
    }

    [Fact]
    public void PoolCorpusHoldsTheDrillsItsSpecAsksFor()
    {
        var spec = new CorpusSpec { ItemsPerFamily = 16, DrillSheets = 40, DrillsPerSheet = 6 };

        var corpus = NanoWorld.BuildCorpus(spec, Tokenizer, families: [TaskFamilies.Arithmetic, "drills"]);

        Assert.Equal(40, corpus.CountsBySource["drills"]);
        Assert.Equal(16, corpus.CountsBySource[TaskFamilies.Arithmetic]);
    }
}
