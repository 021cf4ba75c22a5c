using System.Globalization;

namespace OpenVdi.Engine.Messages;

/// <summary>
/// Operating-system error codes as SQL Server prints them in device messages: <c>112(There is not enough space on
/// the disk.)</c>. The texts are Windows' own for the codes VDI clients use.
/// </summary>
public static class OperatingSystemError
{
    /// <summary>The code and its text, for a message.</summary>
    public static string Describe(uint code) => string.Create(CultureInfo.InvariantCulture, $"{code}({Text(code)})");

    /// <summary>The text of <paramref name="code"/>.</summary>
    public static string Text(uint code) => code switch
    {
        OpenVdi.Win32Error.ERROR_SUCCESS => "The operation completed successfully.",
        OpenVdi.Win32Error.ERROR_INVALID_HANDLE => "The handle is invalid.",
        OpenVdi.Win32Error.ERROR_BAD_ENVIRONMENT => "The environment is incorrect.",
        OpenVdi.Win32Error.ERROR_WRITE_FAULT => "The system cannot write to the specified device.",
        OpenVdi.Win32Error.ERROR_READ_FAULT => "The system cannot read from the specified device.",
        OpenVdi.Win32Error.ERROR_HANDLE_EOF => "Reached the end of the file.",
        OpenVdi.Win32Error.ERROR_HANDLE_DISK_FULL => "The disk is full.",
        OpenVdi.Win32Error.ERROR_NOT_SUPPORTED => "The request is not supported.",
        OpenVdi.Win32Error.ERROR_DISK_FULL => "There is not enough space on the disk.",
        OpenVdi.Win32Error.ERROR_OPERATION_ABORTED => "The I/O operation has been aborted because of either a thread exit or an application request.",
        OpenVdi.Win32Error.ERROR_END_OF_MEDIA => "The physical end of the tape has been reached.",
        OpenVdi.Win32Error.ERROR_FILEMARK_DETECTED => "A tape access reached a filemark.",
        OpenVdi.Win32Error.ERROR_NO_DATA_DETECTED => "No more data is on the tape.",
        OpenVdi.Win32Error.ERROR_IO_DEVICE => "The request could not be performed because of an I/O device error.",
        OpenVdi.Win32Error.ERROR_EOM_OVERFLOW => "Physical end of tape encountered.",
        OpenVdi.Win32Error.ERROR_NO_SYSTEM_RESOURCES => "Insufficient system resources exist to complete the requested service.",
        _ => "Unknown error.",
    };

    /// <summary>A VDI result as SQL Server prints it in 3201: <c>0x80770003(VD_E_TIMEOUT)</c>.</summary>
    public static string Describe(VdiResult result) => string.Create(CultureInfo.InvariantCulture, $"0x{(uint)result:x8}({result})");
}
