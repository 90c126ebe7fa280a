using DiSRouter.Core.Evaluation.Routers;

namespace DiSRouter.Core.Tests.Evaluation.Routers;

/// <summary>
/// A hand-made world where the right routing is known: "apple" questions the cheap agent answers right, "zebra" questions
/// only the dear one does. At α = 0.5 (costs 0.1 and 0.9) an apple belongs to the cheap agent (1 − 0.05 against
/// 1 − 0.45) and a zebra to the dear one (0 − 0.05 against 1 − 0.45).
/// </summary>
internal static class ToyWorld
{
    public static readonly double[] Costs = [0.1, 0.9];

    public static RoutedQuery Apple(int i) => new($"apple orchard question {i} about red fruit", "apple", (i % 3).ToString());

    public static RoutedQuery Zebra(int i) => new($"zebra savanna puzzle {i} with striped animals", "zebra", (i % 3).ToString());

    public static (List<RoutedQuery> Queries, List<IReadOnlyList<bool>> Correct) Training(int each = 30)
    {
        var queries = Enumerable.Range(0, each).SelectMany(i => new[] { Apple(i), Zebra(i) }).ToList();
        var cheap = queries.Select(q => q.Family == "apple").ToArray();
        var dear = queries.Select(_ => true).ToArray();
        return (queries, [cheap, dear]);
    }

    /// <summary>Where a router sends fresh apples and zebras at α = 0.5.</summary>
    public static (int Apple, int Zebra) Routes(ICorrectnessModel model) =>
        (UtilityChoice.Pick(model.Predict(Apple(1000)), Costs, 0.5), UtilityChoice.Pick(model.Predict(Zebra(1000)), Costs, 0.5));
}
