using System.Text.RegularExpressions;

namespace DiSRouter.Core.Tasks.Families;

/// <summary>
/// Rewrites a question by rules: every match of a rule's pattern becomes one of its replacements (drawn per match,
/// groups as <c>${name}</c>). A question that no rule changes is a generator bug, not an item, so it throws.
/// </summary>
internal sealed class Rewording
{
    private readonly (Regex Pattern, string[] Replacements)[] _rules;

    public Rewording(params (string Pattern, string[] Replacements)[] rules) =>
        _rules = [.. rules.Select(r => (new Regex(r.Pattern, RegexOptions.CultureInvariant | RegexOptions.Multiline), r.Replacements))];

    public string Apply(string question, StableRandom rng)
    {
        var text = question;
        foreach (var (pattern, replacements) in _rules)
            text = pattern.Replace(text, m => m.Result(rng.Pick(replacements)));
        return text != question ? text : throw new InvalidOperationException($"No rewording rule matches '{question}'.");
    }
}
