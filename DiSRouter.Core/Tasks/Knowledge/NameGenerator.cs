using System.Text;

namespace DiSRouter.Core.Tasks.Knowledge;

/// <summary>
/// Invented, pronounceable names, one shape per kind so that a land never looks like a creature. Every name is
/// unique across the whole world; short (4–8 bytes) because every byte costs a byte-level model.
/// </summary>
internal sealed class NameGenerator(StableRandom rng)
{
    private static readonly string[] Onsets = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "gl", "kr", "pl", "st", "tr", "sk"];
    private static readonly string[] Vowels = ["a", "e", "i", "o", "u", "a", "e", "o", "ai", "ou"];
    private static readonly string[] Codas = ["", "", "", "n", "r", "l", "s", "k", "m", "th", "x"];
    private static readonly string[] LandEndings = ["ia", "or", "and", "en", "ium", "ar"];
    private static readonly string[] LanguageEndings = ["ic", "ish", "ese", "an"];
    private static readonly string[] ToolEndings = ["f", "x", "p", "nk", "sk", "m", "rt", "ck"];

    private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);

    public void Reserve(IEnumerable<string> words)
    {
        foreach (var w in words) _used.Add(w);
    }

    public string Land() => Unique(() => Capitalize(Syllable(true) + Pick(Onsets) + Pick(LandEndings)));

    public string City() => Unique(() => Capitalize(Syllable(true) + Pick(Onsets) + Pick(Vowels) + Pick(Codas)));

    public string Language() => Unique(() => Capitalize(Syllable(false) + Pick(Onsets) + Pick(LanguageEndings)));

    public string Creature() => Unique(() => Syllable(false) + Pick(Onsets) + Pick(Vowels) + Pick(["l", "n", "r", "m", "x"]));

    public string Tool() => Unique(() => Pick(["gr", "bl", "st", "tr", "pl", "kr", "fl", "sn", "sp", "dw"]) + Pick(Vowels) + Pick(ToolEndings));

    public string Person() => Unique(() => Capitalize(Pick(["", "", "a", "e", "o", "i"]) + Syllable(false) + Pick(Onsets) + Pick(Vowels) + Pick(["", "n", "l", "s", "r"])));

    private string Syllable(bool coda) => Pick(Onsets) + Pick(Vowels) + (coda ? Pick(Codas) : "");

    private string Pick(string[] options) => options[rng.Next(options.Length)];

    private string Unique(Func<string> make)
    {
        for (var attempt = 0; attempt < 10_000; attempt++)
        {
            var name = make();
            if (name.Length is < 4 or > 8) continue;
            if (_used.Add(name)) return name;
        }
        throw new InvalidOperationException("The name space is exhausted; ask for fewer entities.");
    }

    private static string Capitalize(string s)
    {
        var sb = new StringBuilder(s);
        sb[0] = char.ToUpperInvariant(sb[0]);
        return sb.ToString();
    }
}
