namespace Centrum.Twins;

/// <summary>IoT Hub's twin limits (IoT Hub docs "Understand and use device twins in IoT Hub", and "IoT Hub quotas and throttling").</summary>
public static class TwinLimits
{
    /// <summary>Desired and reported documents, each, by IoT Hub's size rule (<see cref="TwinDocuments.Size"/>).</summary>
    public const int MaxDocumentSize = 32 * 1024;

    /// <summary>Nesting of objects below the desired or reported root.</summary>
    public const int MaxDepth = 10;

    /// <summary>Property names, UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>String values, UTF-8 bytes.</summary>
    public const int MaxStringBytes = 4 * 1024;

    /// <summary>Integers must be within ±(2^52): the range doubles represent exactly (the docs' "safe integer" range).</summary>
    public const long MaxSafeInteger = 4503599627370495;

    public const long MinSafeInteger = -4503599627370496;
}
