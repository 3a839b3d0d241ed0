# What dvcid tells a person outside the page. SMS are written without diacritics: GSM 7-bit
# texts reach every handset in one part. E-mails carry both languages, Vietnamese first.

sms-otp = Ma OTP { $what } Cong Dich vu cong quoc gia: { $code }. Hieu luc { $minutes } phut. Khong cung cap ma nay cho bat ky ai.
sms-otp-sign-in = dang nhap
sms-otp-registration = dang ky tai khoan
sms-otp-recovery = khoi phuc mat khau
sms-otp-phone-change = doi so dien thoai nhan OTP
sms-otp-add-phone = them so dien thoai nhan OTP
sms-otp-confirm-change = xac nhan thay doi so dien thoai nhan OTP

sms-phone-change-scheduled = So nhan OTP tai khoan Cong Dich vu cong quoc gia cua ban se doi sang { $phone } luc { $at }. Neu khong phai ban, vao muc Huy doi so dien thoai tren Cong va nhap ma { $code }.
sms-password-reset = Mat khau tai khoan Cong Dich vu cong quoc gia cua ban vua duoc dat lai; moi phien dang nhap da ket thuc. Neu khong phai ban, hay goi tong dai ho tro.
sms-phone-added = So { $phone } vua duoc them lam so nhan OTP cua tai khoan Cong Dich vu cong quoc gia cua ban. Neu khong phai ban, hay doi mat khau va goi tong dai ho tro.
sms-default-phone-changed = So { $phone } vua duoc dat lam so nhan OTP mac dinh cua tai khoan Cong Dich vu cong quoc gia cua ban thay cho so nay. Neu khong phai ban, hay doi mat khau va goi tong dai ho tro.
sms-phone-removed = So { $phone } vua bi go khoi danh sach so nhan OTP cua tai khoan Cong Dich vu cong quoc gia. Neu khong phai ban, hay doi mat khau va goi tong dai ho tro.

email-phone-change-scheduled-subject = Yêu cầu đổi số điện thoại nhận OTP
email-phone-change-scheduled = Số điện thoại nhận OTP của tài khoản Cổng Dịch vụ công quốc gia của bạn sẽ được đổi thành { $phone } lúc { $at }. Nếu không phải bạn yêu cầu, hãy vào mục "Hủy đổi số điện thoại" trên Cổng và nhập mã { $code }.
sms-certificate-bound = Mot chung thu so ({ $issuer }) vua duoc gan vao tai khoan Cong Dich vu cong quoc gia cua ban de dang nhap bang USB ky so. Neu khong phai ban, hay go chung thu so trong muc Thong tin tai khoan va goi tong dai ho tro.
sms-certificate-removed = Mot chung thu so vua duoc go khoi tai khoan Cong Dich vu cong quoc gia cua ban. Neu khong phai ban, hay doi mat khau va goi tong dai ho tro.
sms-personal-id-added = So dinh danh ca nhan vua duoc them vao tai khoan Cong Dich vu cong quoc gia cua ban. Neu khong phai ban, hay goi tong dai ho tro.
sms-vneid-linked = Tai khoan dinh danh dien tu VNeID vua duoc lien ket voi tai khoan Cong Dich vu cong quoc gia cua ban. Neu khong phai ban, hay huy lien ket trong trang tai khoan hoac goi tong dai ho tro.
sms-vneid-unlinked = Lien ket VNeID cua tai khoan Cong Dich vu cong quoc gia cua ban vua bi huy. Neu khong phai ban, hay goi tong dai ho tro.

# Operators (issue 12): what the holder is told after an operator acted on their account.
sms-account-locked = Tai khoan Cong Dich vu cong quoc gia cua ban vua bi khoa boi can bo ho tro; moi phien dang nhap da ket thuc. Neu can ho tro, hay goi tong dai.
sms-account-unlocked = Tai khoan Cong Dich vu cong quoc gia cua ban vua duoc mo khoa boi can bo ho tro.
sms-sessions-ended = Moi phien dang nhap tai khoan Cong Dich vu cong quoc gia cua ban vua duoc can bo ho tro ket thuc. Hay dang nhap lai.
sms-otp-phone-reset = So nay vua duoc dat lam so nhan OTP mac dinh cua tai khoan Cong Dich vu cong quoc gia cua ban sau khi doi chieu giay to tai quay ho tro. Neu khong phai ban, hay goi tong dai ho tro.
sms-operator-role-granted = Tai khoan Cong Dich vu cong quoc gia cua ban vua duoc cap vai tro can bo van hanh: { $role }. Neu khong dung, hay bao quan tri he thong.
sms-operator-role-revoked = Vai tro can bo van hanh { $role } cua tai khoan Cong Dich vu cong quoc gia cua ban vua bi thu hoi.
sms-role-helpdesk = ho tro (helpdesk)
sms-role-post = buu dien
sms-role-agency_admin = quan tri tai khoan co quan
sms-role-auditor = kiem toan
sms-role-system_admin = quan tri he thong
## Tổ chức: thành viên thay mặt doanh nghiệp, cơ quan (SMS không dấu)
sms-organisation-invited = Ban duoc moi thay mat to chuc { $organisation } voi vai tro { $role } tren Cong Dich vu cong quoc gia. Dang nhap bang tai khoan cua ban va mo { $link } de chap nhan, truoc { $until }.
sms-organisation-member-added = Tai khoan cua ban da duoc them vao to chuc { $organisation } voi vai tro { $role } tren Cong Dich vu cong quoc gia. Neu khong phai ban, hay goi tong dai ho tro.
sms-organisation-role-changed = Vai tro cua ban tai to chuc { $organisation } tren Cong Dich vu cong quoc gia da doi thanh { $role }.
sms-organisation-member-removed = Ban khong con thay mat to chuc { $organisation } tren Cong Dich vu cong quoc gia.
sms-organisation-role-administrator = quan tri vien
sms-organisation-role-submitter = nguoi nop ho so
sms-organisation-role-viewer = nguoi xem

# Vietnam Post (R4): the counter proofing notice and the activation e-mail.
sms-proven-at-counter = Danh tinh cua ban da duoc xac minh tai quay Buu dien Viet Nam; tai khoan Cong Dich vu cong quoc gia cua ban duoc nang muc dinh danh. Neu khong phai ban, hay goi tong dai ho tro.
email-post-activation-subject = Kích hoạt tài khoản Cổng Dịch vụ công quốc gia
email-post-activation = Xin chào { $name }, bạn vừa đăng ký tài khoản Cổng Dịch vụ công quốc gia qua Bưu điện Việt Nam. Mở liên kết sau và nhấn "Kích hoạt tài khoản" để hoàn tất (liên kết dùng một lần, hết hạn lúc { $at }): { $link } . Nếu không phải bạn đăng ký, hãy bỏ qua thư này: không có tài khoản nào được tạo.
