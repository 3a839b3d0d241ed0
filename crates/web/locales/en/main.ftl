# English pages (second language). Every key here must be in vi/main.ftl and the other way round;
# tests/web.rs checks it. Keep the portal's Vietnamese names where people know them (CMT/CCCD, BHXH).

## Page frame

portal-name = National Public Service Portal
portal-service = Accounts and sign-in
skip-to-main = Skip to main content
language-label = Language
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
field-captcha = Verification code
field-captcha-hint = Type as digits the numbers written above, for example "seven – two" is 72
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
field-bhxh-code-hint = 10 digits, printed in your social insurance book or on your health insurance card
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
login-tab-id-card = CMT/CCCD
login-tab-usb-token = USB token
login-tab-sim-pki = SIM signature
login-tab-vneid = VNeID

## Forms: error summary and notices

error-summary-title = There is a problem
error-prefix = Error:
error-field-required = { $field } is required
error-field-invalid = { $field } is not valid
notice-info = Information
notice-success = Success
notice-error = Error

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
problem-account-exists = This ID number already has an account. Sign in, or use "Forgot password" if you do not remember it.
problem-account-no-personal-id = This account has no personal ID number.
problem-throttled = Too many attempts. Please try again in { $minutes } minutes.
problem-captcha-required = Please enter the verification code.
problem-captcha-wrong = The verification code is wrong. Please enter the new one.
problem-otp-wrong = The OTP is wrong. { $left } attempts left.
problem-otp-exhausted = The OTP was entered wrongly too many times. Please choose "Resend OTP".
problem-otp-expired = The OTP has expired. Please choose "Resend OTP".
problem-otp-used = This OTP has already been used.
problem-otp-resend-too-soon = Please wait { $seconds } seconds before resending the OTP.
problem-otp-resend-limit = No more OTP resends. Please start again.
problem-sms-daily-limit = This phone has received the most OTP messages allowed today. Please try again tomorrow.
problem-sms-unavailable = The OTP could not be sent: the SMS service is interrupted. Please try again in a few minutes.
problem-identity-mismatch = The details do not match the national database. Please check your full name and date of birth.
problem-identity-not-found = No citizen record was found. Please check the number you entered.
problem-registry-unavailable = Your details could not be checked: a national system is not answering. Please try again in a few minutes.
problem-phone-not-owner = This number is not registered in your name.
problem-phone-unknown-choice = The chosen phone does not belong to the account.
problem-phone-already-added = This number is already an OTP phone of the account.
problem-phone-last = The account's only OTP phone cannot be removed.
problem-bhxh-no-phone = Your BHXH record has no phone number. Please register by mobile subscriber.
problem-field-invalid = This is not valid.
problem-field-required = This is required.
problem-full-name-invalid = The full name is not valid.
problem-birth-date-invalid = The date of birth is not valid (for example 25/12/1990).
problem-password-mismatch = The two passwords are not the same.
problem-password-wrong = The password is wrong.
problem-action-unexpected = This action does not fit the current step. Please reload the page.
