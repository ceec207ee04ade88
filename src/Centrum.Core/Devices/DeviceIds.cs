namespace Centrum.Devices;

/// <summary>Device and module id rules.</summary>
/// <remarks>
/// IoT Hub allows ASCII letters, digits and <c>- . % _ * ? ! ( ) , : = @ $ '</c> up to 128 characters. We accept the
/// subset <c>[A-Za-z0-9._:-]</c> (IoT Hub docs "Understand the identity registry in your IoT hub", device identity properties): the SDKs put the raw id into MQTT topics, SAS
/// resources and user names, where <c>%</c>, <c>?</c>, <c>=</c> and <c>$</c> make those ambiguous.
/// </remarks>
public static class DeviceIds
{
    public const int MaxLength = 128;

    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or ':'))
            {
                return false;
            }
        }

        return true;
    }
}
