using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace DiSRouter.Models.Checkpoints;

/// <summary>
/// A short hash of a model's weights as loaded (names and float values), whatever file or dtype they came from: what
/// files made for one set of weights (samples, decision thresholds) record, so that they are never applied to another.
/// </summary>
public static class WeightsFingerprint
{
    public static string Of(TransformerModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var p in model.Parameters)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(p.Name));
            sha.AppendData(MemoryMarshal.AsBytes(p.Data.AsSpan()));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }
}
