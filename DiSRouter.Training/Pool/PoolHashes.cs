using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DiSRouter.Training.Pool;

/// <summary>Content hashes that tie a checkpoint to the exact data and settings it was trained from.</summary>
internal static class PoolHashes
{
    /// <summary>SHA-256 of the spec (every field) and the data hash: any change retrains the member.</summary>
    public static string Spec(PoolMemberSpec spec, string dataHash) =>
        Hex(JsonSerializer.Serialize(spec) + "\n" + dataHash);

    public static string Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
