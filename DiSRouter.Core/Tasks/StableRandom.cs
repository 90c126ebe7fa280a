namespace DiSRouter.Core.Tasks;

/// <summary>
/// xoshiro256** seeded through SplitMix64: a generator whose sequence is fixed by its seed on every runtime and
/// machine (System.Random's seeded sequence is not a documented contract). Not thread-safe; one per generator.
/// </summary>
public sealed class StableRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public StableRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    public StableRandom(params ReadOnlySpan<string> seedParts) : this(StableHash.Of(seedParts)) { }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        return StableHash.Mix(x);
    }

    public ulong NextUInt64()
    {
        var result = RotL(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotL(_s3, 45);
        return result;
    }

    private static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>Uniform in [0, maxExclusive), without modulo bias (Lemire's multiply-shift with rejection).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        var range = (ulong)maxExclusive;
        var threshold = (0UL - range) % range;
        while (true)
        {
            var r = NextUInt64();
            var product = Math.BigMul(r, range, out var low);
            if (low >= threshold) return (int)product;
        }
    }

    /// <summary>Uniform in [minInclusive, maxInclusive].</summary>
    public int Between(int minInclusive, int maxInclusive)
    {
        if (maxInclusive < minInclusive) throw new ArgumentOutOfRangeException(nameof(maxInclusive));
        return minInclusive + Next(maxInclusive - minInclusive + 1);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double p) => NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Fisher–Yates in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>k distinct items, in random order.</summary>
    public List<T> Sample<T>(IReadOnlyList<T> items, int k)
    {
        if (k > items.Count) throw new ArgumentOutOfRangeException(nameof(k), k, "Cannot sample more items than there are.");
        var copy = items.ToList();
        for (var i = 0; i < k; i++)
        {
            var j = i + Next(copy.Count - i);
            (copy[i], copy[j]) = (copy[j], copy[i]);
        }
        copy.RemoveRange(k, copy.Count - k);
        return copy;
    }
}
