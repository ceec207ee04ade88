using Centrum.Identity.Authorization;

namespace Centrum.Web.Pages.Administration;

/// <summary>
/// The permission each thing the enrollment group pages do needs: the one REST requires for the same operation
/// (IoT Central REST API, "Enrollment Groups"), so a page offers an action only to a caller holding it, and checks it
/// again when the action arrives. The authorization matrix holds this table to REST's (endpoint-permissions.txt).
/// </summary>
public static class EnrollmentGroupPagePermissions
{
    /// <summary>The list, a group, its keys and certificates: REST's <c>GET /api/enrollmentGroups/{enrollmentGroupId}</c>.</summary>
    public const Permission Read = Permission.DeviceConnectivityRead;

    /// <summary>Creating a group: REST's <c>PUT /api/enrollmentGroups/{enrollmentGroupId}</c>.</summary>
    public const Permission Create = Permission.DeviceConnectivityManage;

    /// <summary>Renaming, enabling or disabling a group: REST's <c>PATCH /api/enrollmentGroups/{enrollmentGroupId}</c>.</summary>
    public const Permission Update = Permission.DeviceConnectivityManage;

    /// <summary>Deleting a group: REST's <c>DELETE /api/enrollmentGroups/{enrollmentGroupId}</c>.</summary>
    public const Permission Delete = Permission.DeviceConnectivityManage;

    /// <summary>Uploading a signing certificate: REST's <c>PUT .../certificates/{entry}</c>.</summary>
    public const Permission SetCertificate = Permission.DeviceConnectivityManage;

    /// <summary>Removing a signing certificate: REST's <c>DELETE .../certificates/{entry}</c>.</summary>
    public const Permission RemoveCertificate = Permission.DeviceConnectivityManage;

    /// <summary>Generating a verification code: REST's <c>POST .../certificates/{entry}/generateVerificationCode</c>.</summary>
    public const Permission GenerateVerificationCode = Permission.DeviceConnectivityManage;

    /// <summary>Uploading the verification certificate: REST's <c>POST .../certificates/{entry}/verify</c>.</summary>
    public const Permission Verify = Permission.DeviceConnectivityManage;
}
