# English pages (second language). Every key here must be in vi/main.ftl and the other way round;
# tests/web.rs checks it. Keep the portal's Vietnamese names where people know them (CMT/CCCD, BHXH).

## Page frame

portal-name = National Public Service Portal
portal-service = Accounts and sign-in
skip-to-main = Skip to main content
language-label = Language
header-signed-in-as = Signed in as
footer-about = Account and sign-in system of the National Public Service Portal.
footer-privacy = Your personal data is used only to verify who you are and to provide public services.

## Common actions

action-sign-in = Sign in
action-register = Register
action-sign-out = Sign out
action-forgot-password = Forgot password
action-confirm = Confirm
action-continue = Continue
action-back = Back
action-cancel = Cancel
action-update = Update
action-skip = Skip

## Fields

field-required = (required)
field-username = Username
field-username-hint = Your ID card number (CMND/CCCD) or personal identification number
field-personal-id = Personal identification number
field-personal-id-hint = 12 digits, printed on your citizen identity card (CCCD)
field-password = Password
field-password-new = New password
field-password-confirm = Re-enter the password
field-value = This value
field-captcha = Verification code
field-captcha-words = Verification code: { $words }
field-captcha-hint = Type as digits the numbers written above, for example "seven – two" is 72
captcha-verifying = Verifying your browser, one moment…
captcha-verified = Browser verified.
field-otp = OTP code
field-otp-hint = The 6-digit code sent to the phone number { $phone }
field-full-name = Full name
field-birth-date = Date of birth
field-birth-date-hint = For example: 25/12/1990
field-gender = Gender
gender-male = Male
gender-female = Female
field-phone = Phone number
field-phone-hint = For example: 0912345678
field-email = E-mail
field-bhxh-code = Social insurance (BHXH) number
field-bhxh-code-hint = 10 digits, as in your social insurance book or on your health insurance card; newer codes are your 12-digit personal ID number
field-tax-code = Tax code

## Show/hide password (only shown when the browser runs JavaScript)

password-show = Show
password-hide = Hide
password-show-label = Show password
password-hide-label = Hide password

## OTP

otp-resend = Resend OTP
# { $seconds } is the number of seconds left; the page's countdown replaces it every second.
otp-resend-wait = Resend OTP ({ $seconds }s)
otp-other-method = Choose another verification method
otp-lost-phone = Lost the phone that receives OTP

## Tabs of the sign-in page

login-methods = Ways to sign in
login-tab-password-sms = CMT/CCCD
login-tab-totp = Authenticator app
login-tab-usb-token = USB token
login-tab-sim-pki = SIM signature
login-tab-remote-signing = VNPT SmartCA
login-tab-vneid = VNeID

## Forms: error summary and notices

error-summary-title = There is a problem
error-prefix = Error:
error-field-required = { $field } is required
error-field-invalid = { $field } is not valid
notice-info = Information
notice-success = Success
notice-error = Error
form-busy = Working…
form-busy-checking = Checking…
form-busy-registries = Checking your details with the national databases; this may take a few seconds. Please wait, there is no need to press again.

## Home page

home-title = National Public Service Portal account
home-lead = One account for the online public services of ministries, agencies and provinces.
home-sign-in-lead = Sign in with your personal identification number, a USB token, a SIM signature or your VNeID account.
home-register-lead = No account yet? Register with your mobile subscription, social insurance number, USB token or SIM signature.
home-sandbox-heading = Sandbox outboxes
home-sandbox-note = Test environment: all data here is synthetic.
home-sandbox-sms = SMS sent
home-sandbox-email = E-mail sent
home-sandbox-people = Synthetic people (JSON)
home-ops-heading = Operations

## Error pages

error-home-link = Go to the home page
error-not-found-title = Page not found
error-not-found-message = The address you typed does not exist or has moved. Please check it.
error-csrf-title = Request refused
error-csrf-message = This request came from another website, so it was blocked to protect your account. Please go back to the home page and try again.
error-bad-request-title = Invalid request
error-bad-request-message = What was sent is not in the expected form. Please try again.
error-forbidden-title = Access denied
error-forbidden-message = You are not allowed to see this page.
error-expired-title = Your session has expired
error-expired-message = For your safety, this step has timed out. Please start again.
error-too-many-requests-title = Too many attempts
error-too-many-requests-message = You have tried too many times. Please wait a moment and try again.
error-internal-title = Something went wrong
error-internal-message = The system could not handle your request. Please try again later.
error-unavailable-title = Service temporarily unavailable
error-unavailable-message = The system is busy or a connected system is not answering. Please try again in a few minutes.

## API and flow errors

error-unauthorized-title = Not signed in
error-unauthorized-message = Please sign in to continue.
flow-expired = This step is no longer valid (it expired, or was opened on another device). Please start again.
flow-conflict = This step was just completed in another tab. Please reload the page.
api-bad-flow-request = Send JSON with a "kind" field, one of login, register_phone, register_bhxh, recovery or add_phone.
api-bad-action = Invalid action: send JSON with an "action" field and that action's fields (see /api/openapi.json).
api-bad-request-body = The request body is not the JSON expected (see /api/openapi.json).

## Why a step was refused (stable codes in problem-*)

problem-credentials-invalid = Wrong ID number or password.
problem-account-locked = This account is locked. Please contact the helpdesk.
problem-account-no-otp-phone = This account has no OTP phone. Please contact the helpdesk.
problem-account-recovery-required = This account has had too many wrong passwords. To protect it, sign-in is paused until you set a new password with "Forgot password".
problem-method-not-offered = That sign-in method is not available here.
problem-phone-daily-limit = You have added the most OTP phones allowed today. Please try again tomorrow.
problem-registration-throttled = Too many registrations with details that did not match came from here or for this ID today. Please check your details and try again tomorrow.
problem-step-up-other-account = Please sign in with the account you are already signed in with.
problem-account-exists = This ID number already has an account. Sign in, or use "Forgot password" if you do not remember it.
problem-account-no-personal-id = This account has no personal ID number.
# The numbers below arrive as text, so Fluent cannot choose "1 minute"/"2 minutes": each
# sentence reads right for any number.
problem-throttled = Too many attempts. Please try again in { $minutes } min.
problem-captcha-required = Please enter the verification code.
problem-captcha-wrong = The verification code is wrong. Please enter the new one.
problem-otp-wrong = The OTP is wrong. Attempts left: { $left }.
problem-otp-exhausted = The OTP was entered wrongly too many times. Please choose "Resend OTP".
problem-otp-expired = The OTP has expired. Please choose "Resend OTP".
problem-otp-resend-too-soon = Please wait { $seconds } s before resending the OTP.
problem-otp-resend-limit = No more OTP resends. Please start again.
problem-agent-challenge-expired = The signing request is more than 5 minutes old. Please try again.
problem-certificate-not-bound = This certificate is not bound to any portal account. Register with it first (USB token, PKI SIM or VNPT SmartCA), or sign in and bind the certificate on your account page.
problem-pki-expired = This certificate cannot be used.
problem-pki-not-yet-valid = This certificate cannot be used.
problem-pki-revoked = This certificate cannot be used.
problem-pki-untrusted-issuer = This certificate cannot be used.
problem-pki-key-usage = This certificate cannot be used to sign in.
problem-pki-policy-not-allowed = This certificate cannot be used to sign in with a USB token.
problem-pki-revocation-unavailable = The certificate's status could not be checked, so you cannot sign in with it yet. Please try again in a few minutes.
problem-pki-malformed = The certificate could not be read.
problem-pki-no-identity = The certificate names no personal ID or tax code.
problem-pki-token-invalid = The signature from the signing tool is not valid.
problem-business-inactive = According to the national business registry, the business with this tax code is suspended or dissolved.
problem-business-not-found = The national business registry has no business with the tax code in this certificate.
problem-business-registry-unavailable = The national business registry cannot be reached right now. Please try again in a few minutes.
problem-signing-authorization-failed = Signing in at the remote signing service did not succeed or was cancelled. Please try again.
problem-signing-cancelled = The signing request was refused on the phone. If it was not you who refused it, try again.
problem-signing-card-blocked = The PKI SIM or its signing key is blocked. Please contact your carrier.
problem-signing-daily-limit = This phone has received the most signing requests allowed today. Please use another sign-in method or try again tomorrow.
problem-signing-failed = The signing service could not sign this request. Please try again later.
problem-signing-no-credential = Your remote signing account has no certificate to sign with yet.
problem-signing-no-sim = This phone number has no PKI SIM. Please check the number, or ask your carrier for a PKI SIM.
problem-signing-phone-unreachable = The phone could not be reached (switched off or out of coverage). Please try again.
problem-signing-pin-blocked = The PKI SIM's PIN is blocked after too many wrong entries. Please contact your carrier to unblock it.
problem-signing-timed-out = The confirmation on the phone did not arrive in time. Please try again.
problem-signing-unavailable = The signing service cannot be reached right now. Please try again later or use another sign-in method.
problem-sms-daily-limit = This phone has received the most OTP messages allowed today. Please try again tomorrow.
problem-sms-unavailable = The SMS system is temporarily not responding, so the OTP could not be sent, please try again later.
problem-identity-mismatch = The full name or date of birth does not match the national population database. Please check them.
problem-identity-not-found = No citizen record was found. Please check the number you entered.
problem-registry-unavailable = A connected database system is temporarily not responding, please try again later.
problem-population-unavailable = The national population database system is temporarily not responding, please try again later.
problem-subscribers-unavailable = The mobile subscriber database system is temporarily not responding, please try again later.
problem-bhxh-unavailable = The social insurance (BHXH) system is temporarily not responding, please try again later.
problem-phone-not-owner = This number is not registered in your name.
problem-phone-unknown-choice = The chosen phone does not belong to the account.
problem-phone-already-added = This number is already an OTP phone of the account.
problem-phone-last = The account's only OTP phone cannot be removed.
problem-bhxh-no-phone = Your BHXH record has no phone number. Please register by mobile subscriber.
problem-bhxh-mismatch = The full name or date of birth does not match your social insurance (BHXH) record. Please enter them as in your BHXH book.
problem-bhxh-not-found = No BHXH record has this code. Please check your BHXH code.
problem-personal-id-gender-mismatch = The gender does not match the personal ID number you entered.
problem-personal-id-not-theirs = This personal ID does not match the account's name and date of birth in the national population database. Check the number you typed; if the account's name or date of birth is wrong, call the helpdesk.
problem-personal-id-taken = This personal ID number already belongs to another portal account. Sign in with that account, or call the helpdesk to have it checked.
problem-vneid-cancelled = You did not finish signing in at VNeID. Try again, or choose another way to sign in.
problem-vneid-conflict = This electronic identity cannot be linked to a portal account automatically. Please call the helpdesk to have it checked.
problem-vneid-failed = The sign-in result from VNeID could not be confirmed. Please sign in with VNeID again.
problem-vneid-identity-mismatch = The details from VNeID do not match the national population database. Please call the helpdesk.
problem-vneid-last-method = Cannot unlink: VNeID is this account's only way to sign in.
problem-vneid-level-too-low = This service needs a level 2 electronic identity. Your VNeID account is level 1: visit the police to raise it to level 2, or choose another way to sign in (USB token, PKI SIM, VNPT SmartCA).
problem-vneid-not-linked = This account is not linked to VNeID.
problem-vneid-prove-account = Your personal ID already has a portal account that was never verified. Sign in to that account once to link it to VNeID.
problem-vneid-unavailable = VNeID is temporarily unavailable. Please try again in a few minutes, or choose another way to sign in.
problem-personal-id-birth-year-mismatch = The year of birth does not match the personal ID number you entered.
problem-field-invalid = { $field } is not valid.
problem-field-required = { $field } is required.
problem-full-name-invalid = The full name is not valid.
problem-birth-date-invalid = The date of birth is not valid (for example 25/12/1990).
problem-password-mismatch = The two passwords are not the same.
problem-password-wrong = The password is wrong.
problem-action-unexpected = This action does not fit the current step. Please reload the page.

## Sign-in, registration and the steps

login-no-account = No account? Register
login-coming-soon = This sign-in method is being rolled out. For now, sign in with your ID card number, password and OTP.
login-use-id-card = Sign in with ID card
flow-identify-lead = Enter the account's personal ID number (or CMND number). An OTP will be sent to the account's OTP phone.
flow-otp-title = OTP verification
flow-otp-lead = A 6-digit OTP was sent to { $phone }. It is valid for 5 minutes.
flow-otp-lead-hidden = If this ID number has an account, a 6-digit OTP was sent to the account's OTP phone.
flow-otp-not-sent = { $phone } has had all the OTP texts allowed today, so no code was sent. Get a code on another of your phones, or choose "Lost the phone that receives OTP".
otp-send-to = Send the code to { $phone }
flow-new-phone-title = Change the OTP phone
flow-new-phone-lead = Enter the new phone number. It must be registered in your own name; an OTP will be sent to it to confirm.
field-phone-new = New phone number
flow-phone-refused-message = The subscriber record of the new phone does not match the account's identity, so the OTP phone was not changed. Please visit your carrier's shop to register the number in your own name, then try again.
flow-register-phone-title = Register with your mobile number
flow-register-phone-lead = Enter your details. Fields marked * are required. The phone number must be registered in your own name.
flow-register-bhxh-title = Register with your BHXH code
flow-register-bhxh-lead = Enter your social insurance (BHXH) code, full name and date of birth as in your BHXH book. The OTP goes to the phone registered with BHXH.
flow-password-title = Choose a password
flow-password-holder = Account: { $holder }
flow-password-hint = At least { $min } characters. A memorable phrase works well; do not use your ID number, phone, date of birth or name.
flow-add-phone-title = Add an OTP phone
flow-add-phone-lead = Enter the new phone number and your current password. An OTP will be sent to the new number to confirm.
done-signed-in-title = Signed in
done-signed-in-message = You are signed in.
done-registered-certificate-title = Registration complete
done-registered-certificate-message = Your account has been created, bound to the certificate you just used. Sign in with this USB token.
done-registered-sim-title = Registration complete
done-registered-sim-message = Your account has been created, bound to the certificate on the PKI SIM you just used. Sign in with this PKI SIM.
done-registered-remote-title = Registration complete
done-registered-remote-message = Your account has been created, bound to the VNPT SmartCA certificate you just used. Sign in with VNPT SmartCA.
done-registered-title = Registration complete
done-registered-message = Your account has been created. Sign in with your personal ID number, password and OTP.
done-password-reset-title = Password reset
done-password-reset-message = Your new password is in effect and every earlier session has ended. Please sign in again.
done-phone-changed-title = OTP phone change requested
done-phone-changed-message = Your new OTP phone will take effect in 24 hours. Until then your old number can cancel the change, and your phones and password cannot be changed.
done-phone-added-title = OTP phone added
done-phone-added-message = The new phone has been added to your account.
register-title = Register an account
register-lead = Choose who you are and how to register.
register-kind-citizen = Citizen
register-kind-business = Business
register-kind-agency = State agency
register-channel-phone = Mobile subscriber
register-channel-phone-lead = The most common way: use a phone number registered in your own name.
register-channel-bhxh = BHXH code
register-channel-bhxh-lead = Use your social insurance code; the OTP goes to the phone registered with BHXH.
flow-register-certificate-title = Register with a USB token
flow-register-sim-title = Register with a PKI SIM
flow-register-remote-title = Register with VNPT SmartCA
flow-register-certificate-lead = The certificate on your USB token says who you are. Check the details below and add an e-mail address to finish; you then sign in with the USB token.
flow-register-sim-lead = The certificate on your PKI SIM says who you are. Check the details below and add an e-mail address to finish; you then sign in with the PKI SIM.
flow-register-remote-lead = The certificate in your VNPT SmartCA account says who you are. Check the details below and add an e-mail address to finish; you then sign in with VNPT SmartCA.
flow-register-certificate-email-hint = The portal sends notices about the account to this address.
register-certificate-kind = Account kind
register-certificate-issuer = Certificate issued by
register-certificate-not-after = Certificate valid until
register-channel-usb = USB token
register-channel-usb-lead = Use the personal certificate on your USB token; no OTP needed.
register-channel-usb-business-lead = Use your business's certificate (with its tax code) on a USB token: a business account by tax code.
register-channel-sim = PKI SIM
register-channel-sim-lead = Confirm with your PKI SIM's PIN on your phone; no OTP needed.
register-channel-sim-business-lead = A PKI SIM holding the business's certificate (with its tax code): a business account by tax code.
register-channel-remote = VNPT SmartCA
register-channel-remote-lead = Sign in to VNPT SmartCA and confirm in the SmartCA app.
field-sim-phone = Phone number of the PKI SIM
field-sim-phone-hint = For example 0912345678. The phone will show the signing request with a check code.
flow-sim-phone-lead = Enter the phone number of your PKI SIM. You will confirm on the phone with the SIM's PIN.
problem-certificate-account-exists = The personal ID or tax code in this certificate already has an account. Sign in to that account and bind the certificate on its account page.
problem-certificate-already-bound = This certificate is already bound to an account. Sign in with your USB token.
problem-certificate-legacy-id = This certificate carries an old CMND number. Register with your phone, or ask the certificate provider for one with your personal ID.
register-business-coming = State agency accounts are on their way.
register-have-account = Already have an account? Sign in

## Account

account-title = Your account
account-identity-heading = Identity
account-channel = Registered through
account-refresh = Update from the National Population Database
account-phones-heading = OTP phones
account-actions = Actions
account-phone-default = Default
account-bind-certificate = Bind a certificate ({ $method })
account-remove-certificate = Remove the certificate { $phone }
account-remove-certificate-lead = Enter your password to remove the certificate { $phone } from your account. Your OTP phone will get a text about this change.
account-done-certificate-removed = The certificate was removed.
account-done-certificate-bound = The certificate was bound; you can sign in with this USB token.
done-certificate-bound-title = Certificate bound
done-certificate-bound-message = The certificate is now bound to your account; you can sign in with this USB token.
flow-bind-certificate-title = Bind a certificate
problem-certificate-other-holder = This certificate names another personal ID or tax code than your account's.
problem-certificate-last = This is the account's only way to sign in: bind another certificate before removing this one.
problem-certificate-unknown = This certificate is not on your account.
account-certificates-heading = Certificates
account-vneid-heading = Electronic identity (VNeID)
account-vneid-level = level { $level }
account-vneid-linked = Linked to a VNeID account, { $level }, at { $at }
account-unlink-vneid = Unlink VNeID
account-unlink-vneid-lead = Enter your password to unlink this account from VNeID. You will not be able to sign in to it with VNeID until you link it again. Your OTP phone will be told of this change.
account-done-vneid-unlinked = VNeID was unlinked.
account-certificate = Certificate
account-certificate-dates = Validity
account-certificate-not-after = Valid until { $at }
account-certificate-last-used = Last used: { $at }
account-make-default = Make { $phone } the default
account-remove-phone = Remove { $phone }
account-make-default-lead = Enter your password to make { $phone } your default OTP phone. The current default phone will get a text about this change.
account-remove-phone-lead = Enter your password to remove { $phone } from your OTP phones. That phone will get a text about this change.
account-add-phone = Add an OTP phone
account-password-heading = Change password
field-password-current = Current password
account-change-password = Change password
account-sessions-heading = Sessions
account-signed-in-at = Signed in at
account-device = Device
account-session-current = This session
account-last-seen = Last active: { $at }
account-end-others = Sign out everywhere else
account-history-heading = Account history
account-when = When
account-what = Event
account-done-refreshed = Your details were updated from the National Population Database.
personal-id-title = Add your personal ID number
personal-id-lead = Your account has no personal ID number yet (the 12 digits on your citizen identity card). Enter it to have it checked against the national population database with your account's name and date of birth; then you can sign in to this same account through VNeID.
personal-id-update = Update
personal-id-skip = Skip
personal-id-later = You can do this later under Account → Identity.
account-done-personal-id = Your personal ID number was added from the national population database.
account-done-default = The default OTP phone was changed.
account-done-removed = The OTP phone was removed.
account-done-password = Your password was changed. Other sessions have ended.
account-done-others = You were signed out everywhere else.
account-done-phone = Your new OTP phone will take effect after the waiting period; until then your old phone can cancel the change.
channel-mobile-subscriber = Mobile subscriber
channel-bhxh = BHXH code
channel-vietnam-post = Vietnam Post
channel-usb-token = USB token
channel-sim-pki = SIM PKI
channel-remote-signing = Remote signing
channel-vneid = VNeID
audit-account-registered = Account registered
audit-password-changed = Password changed
audit-phone-added = OTP phone added
audit-phone-removed = OTP phone removed
audit-default-phone-changed = Default OTP phone changed
audit-phone-change-refused = Phone change refused (subscriber details do not match)
audit-identity-updated = Identity updated
audit-status-changed = Account status changed
audit-signed-in = Signed in
audit-sign-in-failed = Sign-in failed
audit-signed-out = Signed out
audit-credential-added = Sign-in credential added
audit-credential-removed = Sign-in credential removed
audit-phone-change-scheduled = OTP phone change requested (waiting period)
audit-phone-change-cancelled = OTP phone change cancelled
audit-recovery-requested = Password recovery requested
audit-security-refusal = Attempt refused (limits, wrong code or captcha)
audit-identity-proven-at-counter = Identity checked at a Vietnam Post counter

## OpenID provider pages
consent-title = Share your information
consent-lead = { $service } asks for the following information to handle your application:
consent-approve = Allow
consent-deny = Do not allow
consent-scope-openid = Your account's identifier on the portal
consent-scope-profile = Full name, date of birth, gender
consent-scope-phone = Phone number
consent-scope-email = E-mail address
consent-scope-dvc = Personal ID number, account kind, tax code
consent-scope-offline_access = Stay connected while you are away
authorize-expired = The sign-in request from the service has expired. Please go back to the service and sign in again.
authorize-refused-unknown-client = The service asking you to sign in is not registered with the National Public Service Portal. Please contact the service's provider.
authorize-refused-redirect-uri = The service's return address does not match the one it registered, so the portal will not send you there. Please contact the service's provider.
authorize-refused-invalid-request = The sign-in request from the service is not valid (a parameter is missing or repeated). Please go back to the service and try again.
logout-confirm-title = Sign out
logout-confirm-lead = Do you want to sign out of the National Public Service Portal? You will be signed out of every service you signed in to through the portal.
logout-confirm-stay = No, keep using it
logout-refused-invalid-request = The sign-out request is not valid.
logout-refused-client-mismatch = The sign-out request names another service than the one the sign-in was for.
signed-out-title = You have signed out
signed-out-lead = You have signed out of the National Public Service Portal.

# Sign-in methods: steps that wait on something outside the page
flow-unreachable-message = This service asks for a sign-in at level { $level }, which none of the sign-in methods available here reaches. Please use a method of that level (a USB token, PKI SIM, remote signing or VNeID level 2) or contact the service.
flow-redirect-lead = You will sign in at the remote signing service (VNPT SmartCA), then come back here to confirm in its app.
flow-waiting-lead = Confirm on your phone. Before you confirm, check that it shows this same check code:
flow-local-agent-lead = Insert your USB token; the signing program on this computer will ask for its PIN.
agent-needs-script = Signing in with a USB token needs JavaScript, so that the page can talk to the signing tool on your computer.
agent-checking = Looking for the signing tool on your computer…
agent-ready = The signing tool is running. Press the button below, choose your certificate and type the PIN in the signing tool's window (never on this page).
agent-start = Sign with my USB token
agent-waiting = Waiting for you to choose a certificate and type the PIN in the signing tool's window…
agent-open-window = Open the signing window
agent-cancelled = You cancelled the signing. Press the button to try again.
agent-pin-locked = The USB token's PIN is locked. Contact the certificate provider.
agent-failed = The signing tool did not answer. Check that the USB token is plugged in and try again.
agent-missing-title = The signing tool is not running on this computer
agent-missing-install = Download and install the signing tool (dvcid-agent).
agent-missing-guide = See the installation guide
agent-missing-plug = Plug the USB token into the computer.
agent-missing-retry = Press "Try again".
action-retry = Try again
help-agent-title = Install the signing tool (dvcid-agent)
help-agent-lead = To sign in with a USB token your computer needs the signing tool dvcid-agent. The portal's pages never ask for your PIN: you type it only in the signing tool's window.
help-agent-step-driver = Install the USB token's driver from your certificate provider (VNPT-CA, Viettel-CA, …). It includes a PKCS#11 module: a .dll file in its installation folder on Windows, a .so file on Linux.
help-agent-step-install = Download dvcid-agent for your operating system from the portal's official site and install it.
help-agent-step-run = Run dvcid-agent with the token's PKCS#11 module and the portal's address, for example: dvcid-agent serve --module <PKCS#11 module> --allow-origin { $origin }
help-agent-step-back = Go back to the sign-in page and choose "USB token".
action-refresh = Check again
phone-change-cancel-title = Cancel a phone change
phone-change-cancel-lead = Someone asked to move your account's OTP messages to another phone number, and your phone received a cancel code. If it was not you, enter your ID number and that code: nothing changes, and everyone signed in to your account is signed out.
phone-change-cancel-action = Cancel the change
phone-change-cancel-done = The phone change was cancelled and every session of the account ended. If someone else knows your password, set a new one now.
field-cancel-code = Cancel code (8 characters, from the SMS)
problem-phone-change-pending = A change of this account's OTP phone is waiting to take effect; until then its phones and password cannot be changed. If it was not you, cancel it with the code your phone received.
problem-phone-change-cancel-invalid = This ID number and code do not match a pending phone change.
flow-for-service = To use { $service }, sign in with your National Public Service Portal account.
account-phone-pending = { $phone } will become the OTP phone at { $at }, replacing the current one. If you did not ask for this, cancel it with the code your phone received:

## Vietnam Post (R4, S5)
register-channel-post = Vietnam Post
register-channel-post-lead = When your phone is not in your name: activate with an SMS OTP or a link sent to your e-mail; have your identity checked at a post office counter to raise your account's level.
flow-register-post-title = Register through Vietnam Post
flow-register-post-lead = Fill in the fields marked * and the confirmation code, then choose how to activate the account. Your details are checked against the national population database.
field-post-phone-hint = Receives the OTP when you sign in; it need not be in your name
field-post-email-hint = Required if you choose activation by e-mail
field-activation = Activate the account with
activation-sms = An OTP by SMS to the phone above
activation-email = A link sent to the e-mail above
field-document-number = Number of the document checked
field-note = Note
done-link-sent-title = Check your mailbox
done-link-sent-message = An activation link was sent to { $email }. Open it within { $hours } hours and press "Activate account"; only then is the account created.
post-activate-title = Activate your account
post-activate-lead = Activate the National Public Service Portal account of { $name } (registered with the e-mail { $email }). The link expires at { $at }.
post-activate-action = Activate account
post-activated-title = Your account is active
post-activated-message = Sign in with your personal ID number, password and the OTP sent to the phone you registered. The account is at level 2; have your identity checked at a Vietnam Post counter to raise it to level 3.
post-link-restart = Register again
problem-post-activation-required = Choose how to activate the account: an OTP by SMS or a link by e-mail.
problem-post-email-required = Enter an e-mail address to receive the activation link, or choose activation by SMS OTP.
problem-post-email-unavailable = Activation links cannot be e-mailed at the moment. Please choose activation by SMS OTP.
problem-post-mail-throttled = Too many activation links were sent today for this e-mail, this ID or from here. Please use the link you received, choose activation by SMS, or try again tomorrow.
problem-post-mail-unavailable = The mail system did not answer, so the link was not sent. Please try again in a few minutes or choose activation by SMS.
problem-post-link-invalid = This activation link is not valid. Open the link exactly as in the e-mail, or register again.
problem-post-link-used = This activation link was used already. If the account is active, sign in.
problem-post-link-expired = This activation link has expired (24 hours). Please register again.
problem-counter-not-found = No account has this personal ID number.
problem-counter-not-vietnam-post = This account was not registered through Vietnam Post; it is not proven at a post office counter.
problem-counter-already-proven = This account's identity was already checked at a counter.
problem-counter-document-required = Enter the number of the document (CCCD or passport) you checked.
problem-counter-document-invalid = A document number is 6 to 20 letters and digits.
problem-counter-document-mismatch = This CCCD number is not the account's personal ID: another person's card does not prove who registered.
problem-counter-note-required = Write down why and how you checked the document.
problem-counter-note-too-long = The note may be at most 500 characters.
account-proofing = Identity proofing
account-proofing-online = { $source }, { $level }: checked against the national population database; bring your CCCD to a Vietnam Post counter to be checked and raised to LoA3.
account-proofing-counter = { $source }, { $level }: your card was checked at a counter on { $date }.
