# Limits the service identity's Graph Mail.Send (and Mail.Read) to the sender mailbox: an Exchange Online application
# access policy scoped to a mail-enabled security group that holds only the sender. Exchange Online PowerShell
# (Install-Module ExchangeOnlineManagement; an Exchange Administrator). Idempotent.
# Usage: pwsh infra/scripts/limit-mail-send.ps1 -AppId <serviceIdentityClientId> -SenderMailbox iotownerbot@contoso.com
param(
    [Parameter(Mandatory)] [string] $AppId,
    [Parameter(Mandatory)] [string] $SenderMailbox,
    [string] $GroupName = 'IoTOwnerBot senders'
)
$ErrorActionPreference = 'Stop'
Connect-ExchangeOnline -ShowBanner:$false

$group = Get-DistributionGroup -Identity $GroupName -ErrorAction SilentlyContinue
if (-not $group) {
    $alias = ($GroupName -replace '[^A-Za-z0-9]', '').ToLowerInvariant()
    $group = New-DistributionGroup -Name $GroupName -Alias $alias -Type Security -Members $SenderMailbox
    Set-DistributionGroup -Identity $group.Identity -HiddenFromAddressListsEnabled $true
} elseif (-not (Get-DistributionGroupMember -Identity $GroupName | Where-Object PrimarySmtpAddress -eq $SenderMailbox)) {
    Add-DistributionGroupMember -Identity $GroupName -Member $SenderMailbox
}

if (-not (Get-ApplicationAccessPolicy | Where-Object { $_.AppId -eq $AppId -and $_.ScopeName -eq $group.Name })) {
    New-ApplicationAccessPolicy -AppId $AppId -PolicyScopeGroupId $group.PrimarySmtpAddress -AccessRight RestrictAccess `
        -Description 'IoTOwnerBot may send (and read Sent Items) only as its sender mailbox'
}

# Checks: the sender is granted, anyone else is denied (the policy can take up to an hour to apply).
Test-ApplicationAccessPolicy -Identity $SenderMailbox -AppId $AppId | Format-List AccessCheckResult
