namespace DiSRouter.Core.Tasks.Knowledge;

/// <summary>
/// A seeded invented world: lands with capitals and languages, creatures with colors and foods, tools with makers.
/// Facts are ranked by a seeded permutation; the corpus states each fact as often as its rank allows (a
/// Zipf–Mandelbrot law, see <see cref="KnowledgeBaseOptions"/>), so frequent facts are learnt by small models and
/// rare ones only by large ones. A question about a fact can only be answered by having memorised it.
/// </summary>
public sealed class KnowledgeBase
{
    /// <summary>Shared colors: guessing among them is possible, which makes them realistic easy distractors.</summary>
    public static IReadOnlyList<string> Colors { get; } =
        ["red", "blue", "green", "teal", "gold", "gray", "pink", "black", "white", "brown", "violet", "amber"];

    public static IReadOnlyList<string> Foods { get; } =
        ["figs", "nuts", "moss", "fish", "seeds", "plums", "roots", "bugs", "grass", "kelp", "rice", "leaves"];

    private readonly Dictionary<string, Fact> _byKey;
    private readonly Dictionary<string, IReadOnlyList<string>> _objects;
    private readonly IReadOnlyList<Fact>[] _byTier;

    public KnowledgeBase(int seed = 0, KnowledgeBaseOptions? options = null)
    {
        Options = options ?? new KnowledgeBaseOptions();
        Options.Validate();
        Seed = seed;
        var rng = new StableRandom("knowledge-base", seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var names = new NameGenerator(rng);
        names.Reserve(Colors);
        names.Reserve(Foods);

        var relations = Relation.All.ToDictionary(r => r.Name);
        var raw = new List<(Relation Relation, string Subject, string Object)>();
        var n = Options.EntitiesPerKind;
        for (var i = 0; i < n; i++)
        {
            var land = names.Land();
            raw.Add((relations["capital"], land, names.City()));
            raw.Add((relations["language"], land, names.Language()));
        }
        for (var i = 0; i < n; i++)
        {
            var creature = names.Creature();
            raw.Add((relations["color"], creature, rng.Pick(Colors)));
            raw.Add((relations["food"], creature, rng.Pick(Foods)));
        }
        for (var i = 0; i < n; i++)
            raw.Add((relations["maker"], names.Tool(), names.Person()));

        rng.Shuffle(raw);
        var facts = new List<Fact>(raw.Count);
        for (var i = 0; i < raw.Count; i++)
        {
            var rank = i + 1;
            facts.Add(new Fact(raw[i].Relation, raw[i].Subject, raw[i].Object, rank, TierOf(rank, raw.Count), RepeatsAt(rank)));
        }
        Facts = facts;
        _byKey = facts.ToDictionary(f => f.Key, StringComparer.Ordinal);
        _objects = facts.GroupBy(f => f.Relation.Name)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(f => f.Object).Distinct().OrderBy(o => o, StringComparer.Ordinal).ToList());
        _byTier = Enumerable.Range(1, 5).Select(t => (IReadOnlyList<Fact>)facts.Where(f => f.Tier == t).ToList()).ToArray();
    }

    public int Seed { get; }

    public KnowledgeBaseOptions Options { get; }

    /// <summary>Every fact, by rank (most frequent first).</summary>
    public IReadOnlyList<Fact> Facts { get; }

    public IReadOnlyList<Relation> Relations => Relation.All;

    /// <summary>The facts of one difficulty tier (1–5), by rank.</summary>
    public IReadOnlyList<Fact> FactsOfTier(int tier)
    {
        if (tier is < 1 or > 5) throw new ArgumentOutOfRangeException(nameof(tier), tier, "Tiers run from 1 to 5.");
        return _byTier[tier - 1];
    }

    /// <summary>The distinct objects of a relation: the pool that multiple-choice distractors come from.</summary>
    public IReadOnlyList<string> ObjectsOf(string relation) =>
        _objects.TryGetValue(relation, out var list) ? list : throw new ArgumentException($"Unknown relation '{relation}'.", nameof(relation));

    public Fact? Find(string relation, string subject) =>
        _byKey.TryGetValue("fact:" + relation + ":" + subject, out var f) ? f : null;

    /// <summary>The quintile of a rank among <paramref name="count"/> facts: 1 for the most frequent fifth.</summary>
    public static int TierOf(int rank, int count) => 1 + (int)((long)(rank - 1) * 5 / count);

    /// <summary>How often one corpus pass states the fact of this rank (at least once).</summary>
    public int RepeatsAt(int rank)
    {
        var o = Options;
        var r = o.MaxRepeats * Math.Pow((1 + o.Offset) / (rank + o.Offset), o.Exponent);
        return Math.Max(1, (int)Math.Round(r, MidpointRounding.AwayFromZero));
    }

    /// <summary>
    /// One pass of the pretraining corpus: every fact stated <see cref="Fact.Repeats"/> times as a sentence
    /// ("the capital of Vornia is Telsk."), invertible facts also stated the other way round ceil(n/2) times when
    /// <see cref="KnowledgeBaseOptions.InverseStatements"/> is set; shuffled by <paramref name="seed"/>.
    /// </summary>
    public IReadOnlyList<string> Corpus(int seed = 0)
    {
        var lines = new List<string>();
        foreach (var f in Facts)
        {
            for (var k = 0; k < f.Repeats; k++) lines.Add(f.Statement + ".");
            if (Options.InverseStatements && f.InverseStatement is { } inv)
                for (var k = 0; k < (f.Repeats + 1) / 2; k++) lines.Add(inv + ".");
        }
        var inv2 = System.Globalization.CultureInfo.InvariantCulture;
        new StableRandom("corpus", Seed.ToString(inv2), seed.ToString(inv2)).Shuffle(lines);
        return lines;
    }
}
