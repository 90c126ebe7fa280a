using System.Text;

namespace DiSRouter.Core.Tasks;

/// <summary>
/// FNV-1a 64 over UTF-8: the same number in every process and on every machine. string.GetHashCode is
/// randomised per process, so nothing that decides a split or a seed may use it.
/// </summary>
public static class StableHash
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    public static ulong Of(string text)
    {
        var h = Offset;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            h ^= b;
            h *= Prime;
        }
        return Mix(h);
    }

    /// <summary>Hashes several parts; a separator byte keeps ("ab","c") apart from ("a","bc").</summary>
    public static ulong Of(params ReadOnlySpan<string> parts)
    {
        var h = Offset;
        foreach (var part in parts)
        {
            foreach (var b in Encoding.UTF8.GetBytes(part))
            {
                h ^= b;
                h *= Prime;
            }
            h ^= 0x1F;
            h *= Prime;
        }
        return Mix(h);
    }

    // FNV's low bits are weak for short inputs; a SplitMix64 finaliser spreads every input bit over the word,
    // so "hash mod 100" (the split) is uniform.
    internal static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
