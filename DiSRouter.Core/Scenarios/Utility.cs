namespace DiSRouter.Core.Scenarios;

/// <summary>Utility = Accuracy − α·Cost, the one number a routing policy is judged by.</summary>
public static class Utility
{
    public static double Of(double accuracy, double cost, double alpha) => accuracy - alpha * cost;
}
