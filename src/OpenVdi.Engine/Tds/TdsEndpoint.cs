using System.Globalization;
using System.Net;

namespace OpenVdi.Engine.Tds;

/// <summary>The <c>[ADDRESS:]PORT</c> the TDS front door listens on; loopback unless an address is given.</summary>
public static class TdsEndpoint
{
    /// <summary>
    /// Reads <c>PORT</c> (127.0.0.1), <c>ADDRESS:PORT</c> with an IPv4 address or <c>localhost</c>, or
    /// <c>[IPv6]:PORT</c>. Port 0 asks the system for a free port.
    /// </summary>
    /// <exception cref="FormatException">The text is not one of these forms; the message says what is expected.</exception>
    public static IPEndPoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string address = string.Empty;
        string port = text;
        int colon = text.LastIndexOf(':');
        if (colon >= 0)
        {
            address = text[..colon];
            port = text[(colon + 1)..];
        }

        if (!ushort.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out ushort number))
        {
            throw new FormatException($"'{text}' is not [ADDRESS:]PORT: the port must be a number from 0 to 65535.");
        }

        if (address.Length == 0 || address.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, number);
        }

        if (address.StartsWith('[') && address.EndsWith(']'))
        {
            address = address[1..^1];
        }
        else if (address.Contains(':', StringComparison.Ordinal))
        {
            throw new FormatException($"'{text}': write an IPv6 address in brackets, e.g. [::1]:{port}.");
        }

        return IPAddress.TryParse(address, out var ip)
            ? new IPEndPoint(ip, number)
            : throw new FormatException($"'{text}': '{address}' is not an IP address (or localhost).");
    }
}
