namespace DiSRouter.Models.Inference;

/// <summary>
/// SplitMix64: a tiny, fast generator whose sequence is fixed by this code alone (not by the runtime's
/// System.Random), so a seed reproduces the same samples on every machine and .NET version.
/// </summary>
internal struct SampleRng(long seed)
{
    private ulong _state = (ulong)seed;

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
