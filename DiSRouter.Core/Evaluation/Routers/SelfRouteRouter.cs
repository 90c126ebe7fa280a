namespace DiSRouter.Core.Evaluation.Routers;

/// <summary>
/// Self-Route's policy in the nano world: a primary reads the query and states its domain (task family) and difficulty,
/// then picks the agent of highest expected utility from a registry of measured performance profiles (each agent's
/// accuracy per family and difficulty on validation). The nano models cannot follow an instruction to classify, so the
/// primary's statement comes from two heads trained on the labelled validation queries (<see cref="SoftmaxClassifier"/>);
/// serving would run them on the smallest agent's prompt pass, whose time the report charges to every query.
/// The gateway serves it from a <see cref="SelfRouteFile"/> (<see cref="ToFile"/>, <see cref="FromFile"/>).
/// </summary>
public sealed class SelfRouteRouter : ICorrectnessModel
{
    private readonly SoftmaxClassifier _family, _difficulty;
    private readonly LookupRouter _registry;
    private readonly NGramFeatures _features;

    public SelfRouteRouter(IReadOnlyList<RoutedQuery> queries, IReadOnlyList<IReadOnlyList<bool>> correct, NGramFeatures features, int seed = 0)
    {
        var texts = queries.Select(q => q.Text).ToList();
        _features = features;
        _family = SoftmaxClassifier.Fit(texts, queries.Select(q => q.Family).ToList(), features, seed: seed);
        _difficulty = SoftmaxClassifier.Fit(texts, queries.Select(q => q.Difficulty).ToList(), features, seed: seed + 1);
        _registry = new LookupRouter(queries, correct);
    }

    private SelfRouteRouter(SoftmaxClassifier family, SoftmaxClassifier difficulty, LookupRouter registry, NGramFeatures features) =>
        (_family, _difficulty, _registry, _features) = (family, difficulty, registry, features);

    /// <summary>What the primary states about a query: its domain and difficulty.</summary>
    public (string Family, string Difficulty) State(string text) => (_family.Predict(text), _difficulty.Predict(text));

    public double[] Predict(RoutedQuery query)
    {
        var (family, difficulty) = State(query.Text);
        return _registry.Profile(family, difficulty);
    }

    /// <summary>
    /// One routing decision: the statement, each agent's measured accuracy for it, and the agent of highest
    /// p − α·cost among <paramref name="members"/> (indices into the agents, cheapest first; all when null).
    /// </summary>
    public SelfRouteChoice Route(string text, double alpha, IReadOnlyList<double> costs, IReadOnlyList<int>? members = null)
    {
        var (family, difficulty) = State(text);
        var p = _registry.Profile(family, difficulty);
        members ??= Enumerable.Range(0, p.Length).ToArray();
        if (members.Count == 0) throw new ArgumentException("No agent to route to.", nameof(members));
        int local = UtilityChoice.Pick(members.Select(k => p[k]).ToArray(), members.Select(k => costs[k]).ToArray(), alpha);
        return new SelfRouteChoice(members[local], family, difficulty, p);
    }

    public SelfRouteFile ToFile(IReadOnlyList<SelfRouteAgent> agents, System.Text.Json.JsonElement? fittedOn = null)
    {
        var registry = _registry.Export();
        if (registry.All.Length != agents.Count) throw new ArgumentException($"The registry holds {registry.All.Length} agents, {agents.Count} named.", nameof(agents));
        return new SelfRouteFile
        {
            FeatureDimensions = _features.Dimensions,
            Agents = agents,
            FamilyHead = _family.Export(),
            DifficultyHead = _difficulty.Export(),
            Registry = registry,
            FittedOn = fittedOn,
        };
    }

    /// <summary>The router a file holds; <see cref="InvalidDataException"/> when its parts do not fit together.</summary>
    public static SelfRouteRouter FromFile(SelfRouteFile file)
    {
        if (file.FeatureDimensions <= 0) throw new InvalidDataException($"feature_dimensions must be positive, got {file.FeatureDimensions}.");
        var features = new NGramFeatures(file.FeatureDimensions);
        return new SelfRouteRouter(SoftmaxClassifier.FromHead(file.FamilyHead, features), SoftmaxClassifier.FromHead(file.DifficultyHead, features),
            LookupRouter.FromRegistry(file.Registry, file.Agents.Count), features);
    }
}

/// <summary>Where Self-Route sends a query (an index into the router's agents), what it stated, and the profile it read.</summary>
public sealed record SelfRouteChoice(int Agent, string Family, string Difficulty, IReadOnlyList<double> Profile);
