namespace DiSRouter.Training.SelfAwareness;

/// <summary>
/// Seeds derived from a run seed and names (query id, α, step), so that every random choice depends only on
/// what it is about, never on processing order: a resumed run makes exactly the choices of an uninterrupted one.
/// string.GetHashCode is randomised per process, so this uses FNV-1a over the UTF-16 code units.
/// </summary>
internal static class StableSeed
{
    public static int Derive(int seed, params ReadOnlySpan<string> parts)
    {
        ulong h = 14695981039346656037UL;
        Mix(ref h, (uint)seed);
        foreach (var part in parts)
        {
            foreach (var ch in part) Mix(ref h, ch);
            Mix(ref h, 0xFFFF); // separator: ("ab","c") ≠ ("a","bc")
        }
        return (int)(h ^ (h >> 32)) & int.MaxValue;
    }

    private static void Mix(ref ulong h, uint value)
    {
        for (int i = 0; i < 4; i++)
        {
            h ^= (byte)(value >> (8 * i));
            h *= 1099511628211UL;
        }
    }

    /// <summary>Fisher–Yates with a given RNG, in place.</summary>
    public static void Shuffle<T>(IList<T> items, Random rng)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
