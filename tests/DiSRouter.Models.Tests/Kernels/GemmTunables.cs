namespace DiSRouter.Models.Tests.Kernels;

/// <summary>The collection of tests that change <c>Gemm.NC</c> and friends (process-wide statics): they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GemmTunables
{
    public const string Name = "Gemm tunables";
}
