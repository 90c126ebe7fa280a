namespace DiSRouter.Core.Tasks;

/// <summary>The two domains of the reports: families used for training, and families never trained on.</summary>
public static class TaskDomain
{
    public const string InDomain = "id";
    public const string OutOfDomain = "ood";

    public static bool IsValid(string? domain) => domain is InDomain or OutOfDomain;
}
