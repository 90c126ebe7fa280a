using DiSRouter.Core.Tasks;
using DiSRouter.Training.SelfAwareness;

namespace DiSRouter.Training.Evaluation;

/// <summary>The report's query sets, drawn from the nano world the pool was trained in, with the items that grade them.</summary>
internal sealed record RoutingQuerySets(QuerySet Validation, QuerySet Test, QuerySet OutOfDomain, QuerySet Fresh, IReadOnlyDictionary<string, IReadOnlyList<TaskItem>> Items)
{
    /// <summary>Training-split queries (as many per family as validation, unless --probe-train-per-family says): what a probe of the agents' own state is fitted on.</summary>
    public QuerySet Train { get; init; } = new(TrainName, []);

    public const string TrainName = "train";
    public const string ValidationName = "validation";
    public const string TestName = "test";
    public const string OutOfDomainName = "ood";
    public const string FreshName = "fresh-test";

    public IEnumerable<QuerySet> All => [Validation, Test, OutOfDomain, Fresh];

    /// <summary>
    /// Validation and test: <paramref name="perFamily"/> items of each in-domain family (the sets calibration and the
    /// self-awareness report use). Out of domain: <paramref name="oodPerFamily"/> test items of each reworded family.
    /// Fresh: <paramref name="freshPerFamily"/> in-domain test items drawn with generator seed <paramref name="freshSeed"/>,
    /// less any whose prompt the test set already holds. Train (the probes' queries): <paramref name="trainPerFamily"/> per
    /// in-domain family, as many as validation when null.
    /// </summary>
    public static RoutingQuerySets Draw(TaskSuite suite, int perFamily, int oodPerFamily, int freshPerFamily, int freshSeed, int? trainPerFamily = null)
    {
        var inDomain = suite.InDomainFamilies.Select(f => f.Name).ToList();
        var train = inDomain.SelectMany(f => suite.Generate(f, TaskSplit.Train, trainPerFamily ?? perFamily)).ToList();
        var validation = inDomain.SelectMany(f => suite.Generate(f, TaskSplit.Validation, perFamily)).ToList();
        var test = inDomain.SelectMany(f => suite.Generate(f, TaskSplit.Test, perFamily)).ToList();
        var ood = suite.OutOfDomainFamilies.SelectMany(f => suite.Generate(f.Name, TaskSplit.Test, oodPerFamily)).ToList();
        var seen = test.Select(i => i.Prompt).ToHashSet(StringComparer.Ordinal);
        var fresh = inDomain.SelectMany(f => suite.Generate(f, TaskSplit.Test, freshPerFamily, freshSeed)).Where(i => !seen.Contains(i.Prompt)).ToList();
        QuerySet Set(string name, List<TaskItem> items) => new(name, items.Select(TaskQueries.ToQuery).ToList());
        return new RoutingQuerySets(Set(ValidationName, validation), Set(TestName, test), Set(OutOfDomainName, ood), Set(FreshName, fresh),
            new Dictionary<string, IReadOnlyList<TaskItem>> { [ValidationName] = validation, [TestName] = test, [OutOfDomainName] = ood, [FreshName] = fresh, [TrainName] = train })
        { Train = Set(TrainName, train) };
    }
}
