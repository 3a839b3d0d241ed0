# The English half of the e-mails (SMS go in Vietnamese only: see ../vi/notices.ftl).

email-phone-change-scheduled-subject = OTP phone change requested
email-phone-change-scheduled = The OTP phone of your National Public Service Portal account will change to { $phone } at { $at } (Vietnam time). If you did not ask for this, open "Cancel a phone change" on the Portal and enter the code { $code }.
email-post-activation-subject = Activate your National Public Service Portal account
email-post-activation = Hello { $name }, you registered a National Public Service Portal account through Vietnam Post. Open this link and press "Activate account" to finish (single use, expires at { $at }, Vietnam time): { $link } . If you did not register, ignore this e-mail: no account was created.
