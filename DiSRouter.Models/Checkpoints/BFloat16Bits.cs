namespace DiSRouter.Models.Checkpoints;

/// <summary>bfloat16 is the top half of a float32: widening is a shift, narrowing rounds to nearest, ties to even.</summary>
internal static class BFloat16Bits
{
    public static float ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    public static ushort FromSingle(float value)
    {
        uint b = BitConverter.SingleToUInt32Bits(value);
        if ((b & 0x7FFF_FFFF) > 0x7F80_0000) return (ushort)((b >> 16) | 0x0040); // NaN stays a (quiet) NaN
        b += 0x7FFF + ((b >> 16) & 1);                                              // overflow rounds to ±inf, as it should
        return (ushort)(b >> 16);
    }
}
