namespace DiSRouter.Core.Evaluation.Routers;

/// <summary>What a central router may read of a query: its text, and (only the lookup router and Self-Route's head are
/// trained on them) the task family and difficulty the generator labelled it with.</summary>
public sealed record RoutedQuery(string Text, string Family, string Difficulty);
