# The English half of the e-mails (SMS go in Vietnamese only: see ../vi/notices.ftl).

email-phone-change-scheduled-subject = OTP phone change requested
email-phone-change-scheduled = The OTP phone of your National Public Service Portal account will change to { $phone } at { $at } (Vietnam time). If you did not ask for this, open "Cancel a phone change" on the Portal and enter the code { $code }.

## Organisations: members acting for businesses and agencies (SMS go out in Vietnamese)
sms-organisation-invited = You are invited to act for { $organisation } as { $role } on the National Public Service Portal. Sign in with your own account and open { $link } to accept, before { $until }.
sms-organisation-member-added = Your account now acts for { $organisation } as { $role } on the National Public Service Portal. If this was not you, call the helpdesk.
sms-organisation-role-changed = Your role at { $organisation } on the National Public Service Portal is now { $role }.
sms-organisation-member-removed = You no longer act for { $organisation } on the National Public Service Portal.
sms-organisation-role-administrator = administrator
sms-organisation-role-submitter = submitter
sms-organisation-role-viewer = viewer
email-post-activation-subject = Activate your National Public Service Portal account
email-post-activation = Hello { $name }, you registered a National Public Service Portal account through Vietnam Post. Open this link and press "Activate account" to finish (single use, expires at { $at }, Vietnam time): { $link } . If you did not register, ignore this e-mail: no account was created.
