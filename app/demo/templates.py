"""Case templates per category: request type, highest grade it may carry, flags, title and content; and the
templates of the burst (one community's many reports of one matter).

One template a line: ``category code|request type|max grade (G/Y/R)|flags|title|content``. Flags: P = a
number of people is involved ({n}), M = money is involved ({money} 万元), S = sensitive, - = none.
"""

from dataclasses import dataclass

TEMPLATE_TEXT = """
CXJS-WFJS|report|Y|-|{estate}顶楼有人违规加建铁皮房|{estate}{no}栋顶楼近期有人私自搭建铁皮房，已施工一周，存在安全隐患，请依法查处。
CXJS-WFJS|complaint|Y|P|{cshort}集体用地上有人抢建房屋|{community}{road}旁一块集体用地上有人连夜抢建三层房屋，周边{n}户居民担心影响通行和采光，要求尽快制止。
CXJS-SGGL|complaint|Y|P|{site}夜间施工噪声扰民|{site}连续多日晚上11点后仍在打桩作业，噪声很大，附近{n}户居民无法休息，要求核查是否办理夜间施工许可。
CXJS-SGGL|complaint|G|-|{road}施工围挡占用人行道|{road}道路施工围挡占用整条人行道，行人只能走机动车道，存在安全隐患，希望设置临时通道。
CXJS-WYFW|complaint|Y|P|{estate}物业擅自上调物业费|{estate}物业公司未经业主大会表决，将物业费从每平方米2.8元上调到3.5元，涉及业主约{n}户，请主管部门核查。
CXJS-WYFW|complaint|G|-|{estate}电梯频繁故障物业不作为|{estate}{no}栋电梯一个月内多次困人，物业维修后仍反复故障，家里有老人上下楼非常困难。
CXJS-FCJG|consult|G|-|咨询{estate}不动产权证办理进度|本人于{year}年购买{estate}商品房，至今未办理不动产权证，想了解开发商办证进度和需要准备的材料。
CXJS-FCJG|complaint|R|PM|{estate}楼盘延期交房|{estate}项目合同约定去年底交房，至今仍未交付，开发商拒绝支付违约金，涉及购房业主{n}户、金额约{money}万元。
CXJS-BZZF|consult|G|-|咨询公共租赁住房轮候条件|本人在{street}工作三年，想申请公共租赁住房，请问轮候条件和申请流程是什么？
CXJS-LJGZ|suggestion|G|-|建议{estate}加装电梯|{estate}是上世纪九十年代的老小区，住户中老人较多，建议推动加装电梯并明确补贴政策。
CXJS-LJGZ|complaint|G|-|{estate}改造后外墙瓷砖脱落|{estate}老旧小区改造后外墙瓷砖脱落，雨污管道又出现渗漏，施工单位不予理会，请督促返修。
CXJS-SZSS|complaint|G|-|{road}路面塌陷坑洼|{road}靠近{community}路段路面塌陷形成大坑，晚上电动车经过容易摔倒，请尽快修复。
CXJS-ZDCQ|complaint|R|PM|{cshort}城市更新项目补偿款未到位|{community}城市更新项目签约已满一年，仍有{n}户村民的搬迁补偿款共计{money}万元未发放，群众情绪较大。
CSGL-SRHW|complaint|G|-|{road}垃圾堆放多日无人清运|{road}与{road2}交叉口垃圾堆放三天无人清运，气味难闻，蚊蝇很多。
CSGL-ZDJY|complaint|G|-|{road}路口夜间流动摊贩占道经营|每天晚上8点后{road}路口聚集大量流动摊贩，占用人行道和非机动车道，油烟和噪音影响周边居民。
CSGL-ZDJY|report|G|-|举报{road}{shop}长期店外经营|{road}的{shop}长期把桌椅摆到店外人行道上经营，多次劝说无效。
CSGL-LTC|complaint|G|-|{estate}门口车辆乱停堵塞消防通道|{estate}南门口每天晚上停满车辆，把消防通道完全堵死，万一发生火灾后果不堪设想。
CSGL-PSXT|help|Y|-|{estate}化粪池堵塞污水外溢|{estate}{no}栋一楼化粪池堵塞，污水漫到楼道，已持续两天，请求尽快疏通。
CSGL-LJFL|suggestion|G|-|建议{community}增设垃圾分类投放点|{community}垃圾分类投放点太少，居民投放要走很远，建议在{road}沿线增设投放点并延长开放时间。
CSGL-YLLH|help|Y|-|{road}行道树倾斜可能倒塌|{road}一棵大榕树被台风吹得严重倾斜，树根已经松动，下面就是公交站，请求尽快处理。
CSGL-HWGG|complaint|G|-|{road}楼顶广告牌松动有坠落隐患|{road}一栋商业楼楼顶广告牌支架锈蚀松动，大风天摇晃明显，担心砸到行人。
GGFW-GS|help|Y|P|{estate}停水超过24小时|{estate}从昨天上午开始停水，至今没有恢复，也没有提前通知，小区约{n}户居民生活受到严重影响。
GGFW-GS|complaint|G|-|{estate}自来水发黄有异味|{estate}近一周自来水发黄，烧开后有沉淀，担心影响健康，请检测水质。
GGFW-GD|help|Y|P|{community}片区频繁停电|{community}片区本月已停电四次，每次数小时，{n}户居民和周边商户受影响，请求排查线路。
GGFW-GQ|consult|G|-|咨询管道燃气开通流程|刚搬入{estate}，想开通管道天然气，请问需要准备哪些材料，在哪里办理？
GGFW-TXWL|complaint|G|-|{cshort}片区手机信号差|{community}{road}附近手机信号长期很弱，室内基本无法通话，希望增设基站。
GGFW-GJDT|suggestion|G|-|建议优化途经{community}的公交线路|{community}居民去地铁站需要换乘两次公交，建议增开直达地铁站的接驳线路。
GGFW-GJDT|praise|G|-|表扬公交司机拾金不昧|今天在{road}乘坐公交时遗落钱包，司机师傅捡到后主动联系归还，特此表扬。
JTYS-JTSS|suggestion|G|-|建议在{road}增设人行横道和信号灯|{road}靠近{school}路段没有人行横道，学生上下学横穿马路非常危险，建议增设斑马线和信号灯。
JTYS-JTSS|complaint|G|-|{road}路口红绿灯故障|{road}与{road2}交叉口信号灯故障两天，早晚高峰车辆拥堵且险象环生。
JTYS-TCGL|complaint|G|-|{estate}周边停车收费不合理|{estate}周边路边停车位收费标准偏高，且收费员不出具票据。
JTYS-CZWY|complaint|G|-|网约车司机绕路多收费|本人在{road}乘坐网约车，司机故意绕路，车费比平时多出一倍，平台投诉无果。
JTYS-KHY|complaint|G|-|{road}泥头车夜间超速撒漏|{road}每晚有大量泥头车超速行驶，沿途撒漏泥土，噪声也很大。
SCJG-XFWQ|complaint|G|M|{shop}售卖家电质量问题拒不退换|在{road}{shop}购买的家电使用一周出现故障，商家拒绝退换，涉及金额{money}万元。
SCJG-WLJY|complaint|G|-|网购商品与描述不符商家拒退|在某电商平台上从{company}购买商品，收到实物与描述严重不符，商家拒绝退货退款。
SCJG-SPYP|report|Y|P|举报{road}{shop}食品卫生问题|{shop}后厨卫生条件差，使用过期食材，昨天有{n}人在此就餐后出现腹泻。
SCJG-JG|complaint|G|-|{shop}价签与结账价格不一致|{road}的{shop}商品价签与结账价格不一致，结账时多收费。
SCJG-YFK|complaint|Y|PM|{shop}突然关门预付卡无法退费|{road}的{shop}突然关门停业，会员预付卡余额无法使用，涉及会员{n}人、金额约{money}万元。
SCJG-TZSB|report|Y|-|{estate}电梯维保记录涉嫌造假|{estate}电梯维保单位长期不到场维护，维保记录涉嫌造假，电梯多次异响。
SCJG-WZJY|report|G|-|举报{community}无证食品小作坊|{community}{road}附近有一家无证食品小作坊，卫生条件极差，产品向周边学校小卖部供货。
LDSB-QX|help|R|PM|{site}拖欠{n}名农民工工资{money}万元|{site}拖欠{n}名农民工{months}个月工资共计{money}万元，包工头失联，工人多次讨要无果，急需解决。
LDSB-QX|help|R|PM|{company}拖欠员工工资|{company}已连续{months}个月未发工资，涉及员工{n}人、金额约{money}万元，老板称资金困难，员工聚集在厂门口讨薪。
LDSB-QX|complaint|Y|M|{company}离职后不结清工资|本人从{company}离职已一个多月，公司拒绝结清最后两个月工资及加班费，共计{money}万元。
LDSB-LDHT|consult|G|-|咨询试用期被辞退如何维权|本人在{company}试用期第二个月被口头辞退，未签劳动合同，请问能否主张双倍工资？
LDSB-SHBX|complaint|G|-|{company}未依法缴纳社保|{company}入职两年一直未给员工缴纳社会保险，员工要求补缴遭拒。
LDSB-SHBX|consult|G|-|咨询社保转移接续办理|本人从外省来深圳工作，想把老家的养老保险转移过来，请问如何办理？
LDSB-JYCY|consult|G|-|咨询创业担保贷款申请条件|本人在{community}准备开一家小餐馆，想了解创业担保贷款和创业补贴的申请条件。
LDSB-GS|help|Y|M|工伤认定后公司拒绝赔偿|本人在{company}上班时手指被机器压伤，已认定工伤，公司拒绝支付停工留薪期工资，涉及金额{money}万元。
WSJK-YLFW|complaint|G|-|{hospital}儿科排队时间过长|{hospital}儿科周末只开两个诊室，排队三四个小时，希望增加医生。
WSJK-YLFW|praise|G|-|表扬{hospital}医护人员|家中老人在{hospital}住院期间，医护人员耐心细致、服务周到，特来信表扬。
WSJK-YHJF|complaint|R|MS|{hospital}术后并发症家属质疑|家属在{hospital}手术后出现严重并发症，家属认为医院存在过错，要求赔偿{money}万元，情绪激动扬言到医院讨说法。
WSJK-YBBX|consult|G|-|咨询异地就医医保报销|家人在老家住院，请问深圳医保异地就医备案和报销流程如何办理？
WSJK-GGWS|report|G|-|{estate}旁积水蚊虫滋生|{estate}旁边的空地长期积水，蚊虫大量滋生，担心传播登革热，请相关部门消杀。
JY-RXSX|consult|G|-|咨询非深户子女入学积分|孩子明年上一年级，父母为非深户籍，在{community}租房居住，请问积分入学需要哪些材料？
JY-XW|complaint|Y|P|{estate}片区学位不足|{estate}入住{n}户，片区对口小学学位严重不足，孩子被派到很远的学校，请求增加学位。
JY-SHBX|complaint|Y|PM|{road}培训机构停课老板失联|{road}的{company}培训中心突然停课，老板失联，{n}名家长预交学费约{money}万元无法退还。
JY-XYAQ|help|R|S|{school}门口有可疑人员尾随学生|最近放学时{school}门口有陌生男子多次尾随学生，家长很担心，请求加强校园周边巡逻。
JY-SF|complaint|G|-|{school}违规收取资料费|{school}要求每名学生缴纳资料费300元，未出具收据，怀疑违规收费。
STHJ-ZS|complaint|G|-|{road}{shop}夜间噪声扰民|{road}的{shop}每天营业到凌晨两三点，音响声音很大，附近居民无法入睡。
STHJ-DQ|complaint|G|-|{estate}楼下餐饮油烟直排|{estate}楼下的{shop}未安装油烟净化设备，油烟直接排到居民窗户，家里无法开窗。
STHJ-DQ|report|Y|-|举报{company}夜间偷排废气|{community}工业区的{company}每天夜里排放刺鼻气体，附近居民头晕恶心。
STHJ-SWR|report|Y|-|举报{company}向河道偷排污水|{company}通过暗管向茅洲河支流偷排工业废水，河水发黑发臭。
STHJ-GF|report|G|-|举报{road}旁偷倒建筑垃圾|{road}旁空地每晚有车辆偷倒建筑垃圾，已堆积成山。
STHJ-FS|consult|G|-|咨询{estate}楼顶基站辐射|{estate}楼顶新装了通信基站，居民担心辐射影响健康，想了解检测结果。
GAZF-SHZA|help|Y|-|{estate}地下车库电动车频繁被盗|{estate}地下车库近一个月已有多辆电动车被盗，请求加强巡逻并调取监控。
GAZF-SHZA|report|R|PS|举报{community}出租屋疑似聚众赌博|{community}{road}一处出租屋每晚聚集{n}余人，疑似聚众赌博，进出人员复杂。
GAZF-HJ|consult|G|-|咨询父母随迁落户条件|本人已在深圳落户，想为父母办理随迁入户，请问需要满足什么条件？
GAZF-CJG|consult|G|-|咨询驾驶证到期异地换证|驾驶证下月到期，人在外地，请问能否异地换证？
GAZF-JJJF|help|Y|M|借款被拖欠请求协调|本人借给同乡{money}万元，对方一直拖着不还，现在电话也不接，请求帮助协调。
GAZF-JWZF|complaint|G|-|反映派出所出警不及时|昨晚在{road}发生纠纷报警，民警一个多小时后才到场，希望提高出警效率。
GAZF-MDJF|help|Y|-|{estate}楼上漏水邻里纠纷|楼上住户卫生间漏水导致我家天花板发霉，多次沟通对方拒不维修，请求调解。
GAZF-MDJF|help|R|PS|{cshort}两户因房屋边界冲突升级|{community}两户村民因房屋边界问题多次发生肢体冲突，双方亲属{n}人聚集，随时可能再次冲突。
GAZF-MDJF|help|G|-|家庭赡养纠纷请求调解|家中兄弟姐妹对老人赡养问题争执不下，老人无人照料，请求{community}调解。
GAZF-SFSS|consult|G|-|咨询胜诉后判决执行难|本人胜诉后对方拒不履行判决，法院执行进展缓慢，想了解还有什么途径。
MZ-DBTK|help|Y|-|家庭困难申请低保受阻|本人丈夫重病、孩子上学，家庭生活困难，申请低保被告知材料不全，希望得到指导和帮助。
MZ-YLFW|suggestion|G|-|建议{community}开设长者食堂|{community}独居老人较多，建议在社区党群服务中心开设长者食堂解决老人吃饭问题。
MZ-YLFW|complaint|Y|-|{cshort}养老院护理不到位|老人入住{cshort}一家民办养老院后身上出现压疮，护理人员不足，管理混乱。
MZ-CJR|help|G|-|咨询残疾人两项补贴申请|本人儿子为二级肢体残疾，想申请残疾人生活补贴和护理补贴，请问如何办理？
MZ-HYDJ|consult|G|-|咨询结婚登记预约|想在下周办理结婚登记，请问光明区婚姻登记处如何预约？
MZ-BZ|complaint|G|-|{cshort}后山乱埋乱葬|{community}后山有人私自修建坟墓，破坏山林。
ZRNY-TDQS|complaint|Y|P|{cshort}集体土地被个人占用|{community}一块集体土地被个人长期占用出租，{n}名股民要求收回并公开收益。
ZRNY-ZJD|consult|G|-|咨询原村民宅基地政策|本人为{cshort}原村民，想了解非农建设用地和宅基地政策。
ZRNY-JTZC|report|Y|PM|举报{cshort}股份公司账目不公开|{community}股份合作公司多年不公开账目，集体物业租金收入约{money}万元去向不明，{n}名股民要求审计。
ZRNY-NYBT|consult|G|-|咨询耕地地力保护补贴申领|家里承包的农田今年有没有耕地地力保护补贴？如何申领？
ZRNY-LS|report|G|-|举报{cshort}后山林木被砍伐|{community}后山一片林地被人砍伐，疑似准备平整后建房。
YJAQ-XF|report|Y|P|{estate}楼道电动车飞线充电|{estate}{no}栋楼道里大量电动车飞线充电，住户约{n}户，存在严重火灾隐患。
YJAQ-XF|report|R|P|{company}厂房违规住人|{community}工业区{company}厂房内违规设置员工宿舍，住有{n}人，消防通道被堵。
YJAQ-RQ|help|R|-|{estate}楼道闻到浓烈燃气味|{estate}{no}栋楼道有很浓的燃气味，怀疑燃气泄漏，请立即派人处理。
YJAQ-AQSC|report|Y|-|{site}高空作业无安全防护|{site}工人在高空作业没有任何安全防护，随时可能发生事故。
YJAQ-FX|help|R|P|{road}暴雨后下穿通道严重积水|暴雨后{road}下穿通道积水超过一米，有车辆被困，{n}名群众被困在附近，请求紧急救援。
YJAQ-YY|help|R|S|来电人扬言采取极端行为|来电人因{cshort}补偿问题多年未解决，情绪激动，扬言要到区政府门口采取极端行为。
JJYS-QYSQ|help|Y|-|{company}用电增容报装缓慢|{company}扩产急需用电增容，报装两个月仍未批复，影响订单交付。
JJYS-ZCDX|complaint|Y|M|{company}产业扶持资金迟迟未拨付|{company}去年获批的产业扶持资金{money}万元至今未拨付，影响企业资金周转。
JJYS-XZSP|suggestion|G|-|建议简化企业开办审批材料|办理企业开办手续时要求重复提交多份相同材料，建议实现数据共享、一次提交。
JJYS-SF|consult|G|-|咨询小微企业税费优惠政策|{company}属于小微企业，想了解今年的增值税和所得税优惠政策。
DWZW-ZWFW|complaint|G|-|政务服务大厅窗口人员态度差|在区政务服务大厅办理业务时，窗口工作人员态度生硬，不耐烦解释。
DWZW-ZWFW|praise|G|-|表扬{street}群众诉求服务中心|{street}群众诉求服务中心工作人员帮我协调解决了欠薪问题，仅用三天就拿到了工资，特此致谢。
DWZW-GBZF|report|Y|-|反映{community}工作人员推诿|到{community}办事多次被推诿，工作人员让我找街道，街道又让我找社区。
DWZW-JJKG|report|Y|S|检举{cshort}干部违规插手工程|实名检举{community}某干部违规插手辖区工程项目，要求纪检部门调查。
QT-ZX|consult|G|-|咨询群众诉求服务中心办公时间|请问{street}群众诉求服务中心周末是否办公？办理调解需要带什么材料？
QT-BY|praise|G|-|感谢{community}平安员及时报警|{community}平安员夜间巡逻时发现{estate}电动车起火，及时报警并疏散群众，特此感谢。
QT-BY|praise|G|-|表扬{street}工作人员帮助追回欠薪|{street}工作人员耐心帮我们{n}名工友追回了被拖欠的工资，特此致谢。
QT-WX|consult|G|-|来电咨询外市户籍业务|来电人咨询外市户籍业务办理事宜，不属于本区事项。
CXJS-SGGL|complaint|G|-|{site}周末一早开工噪声扰民|{site}周六周日早上6点多就开始施工作业，电锯和打桩声音很大，附近居民周末也无法休息。
STHJ-ZS|complaint|G|-|{estate}旁广场舞音响声音过大|每天晚上7点到10点{estate}旁小广场跳广场舞，音响开得很大，关着窗都能听到，孩子无法写作业。
STHJ-ZS|complaint|G|-|{road}夜市大排档噪声扰民|{road}夜市大排档营业到凌晨，划拳声、音乐声不断，周边居民无法入睡。
YJAQ-FX|help|Y|P|暴雨后{estate}地下车库进水|昨晚暴雨后{estate}地下车库大量进水，{n}辆车被泡，排水泵不工作，请求紧急抽排。
CSGL-YLLH|help|G|-|台风后{road}倒伏树木阻碍通行|台风过后{road}有多棵树木倒伏，压在人行道和非机动车道上，至今无人清理。
GGFW-GQ|complaint|G|-|{estate}燃气压力不足热水器打不着火|天气转冷后{estate}晚上用气高峰时燃气压力明显不足，热水器经常打不着火，老人孩子无法洗澡。
GGFW-GQ|complaint|G|-|{estate}燃气费比往常高出一倍|{estate}住户反映近两个月燃气费比往常高出一倍，怀疑燃气表计量不准，请求核查。
YJAQ-RQ|report|Y|-|{road}{shop}违规存放液化气罐|{road}的{shop}在店内违规存放多个液化气罐，生意忙时还在门口明火作业，存在安全隐患。
GGFW-GN|suggestion|G|-|建议寒潮期间关爱{community}独居老人取暖|寒潮来袭气温骤降，{community}不少独居老人家中没有取暖设备，建议社区上门送电暖器并检查用电安全。
GGFW-GN|consult|G|-|咨询寒潮期间临时避寒场所|最近寒潮降温，请问{street}有没有开放临时避寒场所？流浪人员和困难群众可以去哪里？
LDSB-QX|help|Y|PM|年关将至{site}{n}名工人讨薪|春节临近，{site}劳务分包公司拖欠{n}名工人工资共{money}万元，工人急着回家过年，请求帮助追讨。
LDSB-QX|complaint|G|M|{company}年底拖欠本人工资|本人在{company}工作，公司以年底资金紧张为由拖欠两个月工资{money}万元，眼看要过年了，请帮忙协调。
JY-RXSX|consult|G|-|咨询{school}学位申请时间|孩子今年秋季入学，请问{school}学位申请系统什么时候开放？需要准备哪些材料？
GAZF-SHZA|complaint|G|-|{estate}楼上住户深夜喧哗|{estate}{no}栋楼上住户经常深夜聚会喧哗到凌晨，多次敲门沟通无效，请求民警上门处理。
GAZF-SHZA|report|G|-|{road}深夜有人驾驶改装车炸街|每天深夜{road}有改装摩托车和汽车飙车炸街，轰鸣声很大，严重扰民，也存在安全隐患。
GAZF-SHZA|help|G|-|{road}电动车被盗请求调取监控|本人停在{road}{shop}门口的电动车被盗，已报警，请求尽快调取周边监控追回。
GAZF-HJ|consult|G|-|咨询新生儿入户办理流程|孩子刚出生，父母一方为深户，请问新生儿入户需要哪些材料、在哪里办理？
JTYS-JTWZ|complaint|G|-|{road}电子警察抓拍违章有误|本人驾车途经{road}与{road2}路口，按导向标志行驶却被电子警察记录违章，罚款200元扣3分，申诉后一直没有回复，请求核实撤销。
MZ-SHZZ|report|G|-|举报{cshort}有组织以协会名义收取会费|{community}有一个未经登记的老年协会在小区发展会员，每人收取会费300元，怀疑是非法社会组织，请民政部门核查。
"""

# The burst: residents of one community report the same matter within two days (the last one, with the
# number of households, is the first report the others are merged into).
BURST_TEXT = """
GGFW-GS|complaint|G|-|{estate}自来水发黄浑浊|从昨天开始{estate}家里水龙头流出的自来水发黄浑浊，放了很久还是黄的，不敢做饭，请尽快查明原因。
GGFW-GS|complaint|G|-|{estate}{no}栋自来水有铁锈味|{estate}{no}栋自来水有明显铁锈味，烧开后有黄色沉淀，家里有小孩，担心影响健康。
GGFW-GS|complaint|G|-|{cshort}片区自来水突然变黄|{community}片区多个小区自来水突然变黄，听说附近在改造供水管道，请供水部门尽快处理并说明情况。
GGFW-GS|help|G|-|{estate}自来水浑浊无法饮用|{estate}自来水浑浊发黄已经两天，家里老人只能买桶装水，请求尽快恢复正常供水。
GGFW-GS|complaint|Y|P|{cshort}片区自来水发黄浑浊影响{n}户|{community}{estate}等小区自来水发黄浑浊，涉及约{n}户居民，物业称是市政管网问题，请求供水部门排查。
"""

GRADE_RANK = {"green": 0, "yellow": 1, "red": 2}
_MAX_GRADE = {"G": "green", "Y": "yellow", "R": "red"}


@dataclass(frozen=True)
class Template:
    """One kind of case the demo generates."""

    category: str
    request_type: str
    max_grade: str
    people: bool
    money: bool
    sensitive: bool
    title: str
    content: str

    def allows(self, grade: str) -> bool:
        """True when a case from this template may carry ``grade``."""
        return GRADE_RANK[grade] <= GRADE_RANK[self.max_grade]


def _parse(text: str) -> tuple[Template, ...]:
    rows = []
    for line in text.strip().splitlines():
        category, request_type, grade, flags, title, content = line.split("|")
        rows.append(
            Template(
                category=category,
                request_type=request_type,
                max_grade=_MAX_GRADE[grade],
                people="P" in flags,
                money="M" in flags,
                sensitive="S" in flags,
                title=title,
                content=content,
            )
        )
    return tuple(rows)


TEMPLATES = _parse(TEMPLATE_TEXT)
BURST_TEMPLATES = _parse(BURST_TEXT)


def choices_for(request_type: str, grade: str) -> list[Template]:
    """Templates of ``request_type`` that may carry ``grade``."""
    return [t for t in TEMPLATES if t.request_type == request_type and t.allows(grade)]
